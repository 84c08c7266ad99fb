#!/usr/bin/env python3
"""Turns bench/vm/agent.sh's raw timings (agent.txt in RESULTS_DIR) into the Markdown tables
of BENCHMARKS.md's "The agent path": medians with the interquartile range beside them, and
the ratios SPEC.md's target is stated in (an agent's cycle against the floor and against
pkexec modprobe; its load against StartUnit(modprobe@X)'s).

usage: agent-report.py RESULTS_DIR
"""

import statistics
import sys
from collections import defaultdict
from pathlib import Path

from report import ms, quartiles, spread  # the same cells as the kernel suite's tables

FLOOR_TARGET = 1.10  # agent cycle / floor cycle
PKEXEC_TARGET = 0.2  # agent cycle / pkexec modprobe cycle
# The agents' methods in agent.txt, and how the table names them.
AGENTS = {"agent": "bus", "agent-socket": "root's socket"}


def ratio_cell(samples, references, target):
    """The ratio of the medians, then the median (IQR) of each round's own ratio."""
    medians = statistics.median(samples) / statistics.median(references)
    q1, paired, q3 = quartiles([s / r for s, r in zip(samples, references)])
    cell = f"{medians:.2f}; per round {paired:.2f} ({q1:.2f}–{q3:.2f})"
    if target is not None:
        cell += ": met" if medians <= target else ": **not met**"
    return cell


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    cycles = defaultdict(lambda: defaultdict(list))  # module -> method -> [(load, unload)]
    for line in (Path(sys.argv[1]) / "agent.txt").read_text().splitlines():
        method, module, load, unload = line.split()
        cycles[module][method].append((int(load), int(unload)))

    print("Load + unload cycles, ms: median (interquartile range); n cycles each, alternating. "
          "modprobe-unit's unload is delete_module (systemd has no unit that unloads).")
    print()
    print("| module | method | n | cycle | load | unload |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for module, methods in cycles.items():
        for method, samples in methods.items():
            print(f"| {module} | {method} | {len(samples)} | "
                  f"{spread([load + unload for load, unload in samples])} | "
                  f"{spread([s[0] for s in samples])} | {spread([s[1] for s in samples])} |")
    print()
    print("The agent's cycle against its peers: the ratio of the medians, then the median "
          "(IQR) of each round's own ratio.")
    print()
    print(f"| module, agent | agent ÷ floor (target ≤ {FLOOR_TARGET:.2f}) | agent − floor, ms "
          f"| agent ÷ pkexec modprobe (target ≤ {PKEXEC_TARGET}) | agent ÷ modprobe "
          "| agent's load ÷ StartUnit(modprobe@) |")
    print("| --- | --- | ---: | --- | --- | --- |")
    for module, methods in cycles.items():
        total = {method: [load + unload for load, unload in samples]
                 for method, samples in methods.items()}
        unit_loads = [load for load, _ in methods["modprobe-unit"]]
        for agent in (method for method in AGENTS if method in methods):
            overhead = statistics.median(total[agent]) - statistics.median(total["floor"])
            loads = [load for load, _ in methods[agent]]
            print(f"| {module}, {AGENTS[agent]} | "
                  f"{ratio_cell(total[agent], total['floor'], FLOOR_TARGET)} | "
                  f"{ms(overhead)} | {ratio_cell(total[agent], total['pkexec'], PKEXEC_TARGET)} | "
                  f"{ratio_cell(total[agent], total['modprobe'], None)} | "
                  f"{ratio_cell(loads, unit_loads, None)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Turns bench/vm/kernel.sh's raw timings (cycles.txt, boot.txt in RESULTS_DIR) into the
Markdown tables of BENCHMARKS.md's "Real kernel (QEMU guest)": medians with the interquartile
range beside them, and the ratios the SPEC's targets are stated in.

usage: report.py RESULTS_DIR
"""

import statistics
import sys
from collections import defaultdict
from pathlib import Path

CYCLE_TARGET = 1.0  # kmodctl cycle / modprobe cycle
BOOT_TARGET = 0.7  # kmodctl boot / systemd-modules-load alone (kmodd stopped), 2 vCPUs


def quartiles(values):
    if len(values) < 2:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def ms(microseconds):
    return f"{microseconds / 1000:.1f}"


def spread(values):
    q1, median, q3 = quartiles(values)
    return f"{ms(median)} ({ms(q1)}–{ms(q3)})"


def verdict(ratio, target):
    return "met" if ratio <= target else "**not met**"


def cycles_report(path):
    cycles = defaultdict(lambda: defaultdict(list))  # module -> method -> [(load, unload)]
    for line in path.read_text().splitlines():
        method, module, load, unload = line.split()
        cycles[module][method].append((int(load), int(unload)))
    print("Load + unload cycles, ms: median (interquartile range); n cycles each, alternating.")
    print()
    print("| module | method | n | cycle | load | unload |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    medians = {}
    for module, methods in cycles.items():
        for method, samples in methods.items():
            totals = [load + unload for load, unload in samples]
            medians[module, method] = statistics.median(totals)
            print(f"| {module} | {method} | {len(samples)} | {spread(totals)} | "
                  f"{spread([s[0] for s in samples])} | {spread([s[1] for s in samples])} |")
    print()
    print("kmodctl ÷ modprobe: the ratio of the medians, then the median of each round's own "
          "ratio (the two cycles seconds apart, so the host's load moves both alike).")
    print()
    print(f"| module | kmodctl ÷ modprobe (target ≤ {CYCLE_TARGET}) | per round: median (IQR) "
          "| kmodctl − floor | modprobe − floor | exec of two programs "
          "| two `kmodctl --version` ÷ modprobe cycle |")
    print("| --- | --- | --- | ---: | ---: | ---: | --- |")
    for module, methods in cycles.items():
        kmodctl, modprobe = medians[module, "kmodctl"], medians[module, "modprobe"]
        floor, spawn = medians[module, "floor"], medians[module, "exec"]
        starts = medians[module, "kmodctl-start"]
        ratio = kmodctl / modprobe
        rounds = [(k[0] + k[1]) / (m[0] + m[1])
                  for k, m in zip(methods["kmodctl"], methods["modprobe"])]
        q1, paired, q3 = quartiles(rounds)
        print(f"| {module} | {ratio:.2f} ({ms(kmodctl)} / {ms(modprobe)} ms): "
              f"{verdict(ratio, CYCLE_TARGET)} | {paired:.2f} ({q1:.2f}–{q3:.2f}): "
              f"{verdict(paired, CYCLE_TARGET)} | {ms(kmodctl - floor)} ms | "
              f"{ms(modprobe - floor)} ms | {ms(spawn)} ms | "
              f"{starts / modprobe:.2f} ({ms(starts)} / {ms(modprobe)} ms) |")


def boot_report(path):
    runs = defaultdict(list)
    for line in path.read_text().splitlines():
        method, took = line.split()
        runs[method].append(int(took))
    references = ["modules-load", "modules-load-alone"]
    medians = {method: statistics.median(samples) for method, samples in runs.items()}
    print()
    print("Boot list of 20 modules, ms: median (interquartile range); n runs each, alternating. "
          "Ratios to systemd-modules-load with kmodd running and with kmodd stopped; "
          f"the target (≤ {BOOT_TARGET} × alone, with 2 vCPUs) is kmodctl-boot's.")
    print()
    print("| method | n | time | ÷ modules-load | ÷ modules-load-alone |")
    print("| --- | ---: | ---: | --- | --- |")
    for method, samples in runs.items():
        cells = []
        for reference in references:
            if reference not in medians:
                cells.append("—")
                continue
            ratio = medians[method] / medians[reference]
            mark = (f": {verdict(ratio, BOOT_TARGET)}"
                    if method == "kmodctl-boot" and reference == "modules-load-alone" else "")
            cells.append(f"{ratio:.2f}{mark}")
        print(f"| {method} | {len(samples)} | {spread(samples)} | {cells[0]} | {cells[1]} |")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    results = Path(sys.argv[1])
    if (results / "cycles.txt").read_text():  # empty: a run of the boot list alone
        cycles_report(results / "cycles.txt")
    boot_report(results / "boot.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())

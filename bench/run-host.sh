#!/usr/bin/env bash
# The host benchmarks (BENCHMARKS.md, "Host (fake kernel)"): builds the release preset and runs
# kmodd-bench, which prints Markdown tables on stdout and its progress on stderr. Needs root
# (kmodd owns its name on a private system bus only as root), dbus-daemon, cc and depmod.
# Extra arguments go to kmodd-bench, e.g. bench/run-host.sh --rounds=1 --requests=5000
# BUILD_DIR picks another build directory of the release preset.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${BUILD_DIR:-build/release}
cmake --preset release -B "$build_dir" >/dev/null
cmake --build "$build_dir" --target kmodd-bench -j "$(nproc)" >/dev/null

echo "## Host (fake kernel): $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)),"\
     "$(free -g | awk '/^Mem:/ {print $2}') GiB, Linux $(uname -r);" \
     "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
"$build_dir/bench/kmodd-bench" "$@"
echo
echo "Load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)."

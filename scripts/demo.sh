#!/usr/bin/env bash
# The README's demo: builds kmodd, installs it into a throwaway tree and runs
# tests/vm/scenarios/demo.sh in a QEMU guest booted from the Debian kernel, showing what each
# kmodctl command does to a real kernel. Nothing is installed on this machine but the
# packages scripts/install-deps.sh lists. Run as root; the first run downloads the kernel.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $EUID -ne 0 ]]; then
    echo "demo: run as root (the guest's module files must be owned by root)" >&2
    exit 1
fi
scripts/install-deps.sh
build=build/vm-install
mkdir -p "$build"
echo "Building and installing kmodd into $build/destdir (log: $build/demo-build.log)"
if ! tests/vm/install-tree.sh . "$build" "$build/destdir" >"$build/demo-build.log" 2>&1; then
    tail -n 40 "$build/demo-build.log" >&2
    exit 1
fi
echo "Booting the Debian kernel under QEMU (about 15 s)"
exec tests/vm/run-vm.sh plain tests/vm/scenarios/demo.sh "$build/destdir"

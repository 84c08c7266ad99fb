#!/usr/bin/env bash
# Installs what is missing, builds kmodd twice (warnings as errors; ASan+UBSan) and runs every
# test suite in both builds, then builds the fuzzers (clang, libFuzzer) and runs each briefly.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
jobs=$(nproc)
for preset in dev asan fuzz; do
    echo "=== $preset build"
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" -j "$jobs"
    echo "=== $preset tests"
    ctest --preset "$preset" -j "$jobs"
done

#!/usr/bin/env bash
# Builds the Debian package (cmake/Packaging.cmake) from a release build:
#
#   scripts/package.sh [BUILD_DIR]      BUILD_DIR defaults to build/release
#
# BUILD_DIR is configured by configure-release.sh (for /usr and /etc, RelWithDebInfo, with
# dpkg-buildflags' hardening, without the test suites); the last line printed is the path of
# the .deb (a kmodd-dbgsym .ddeb with the debug symbols is beside it).
set -euo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$(realpath -m "${1:-$source_dir/build/release}")
if ! command -v dpkg-shlibdeps >/dev/null; then
    echo "package.sh: dpkg-shlibdeps is missing (scripts/install-deps.sh installs dpkg-dev)" >&2
    exit 1
fi

"$source_dir/scripts/configure-release.sh" "$build_dir" >&2
cmake --build "$build_dir" -j "$(nproc)" >&2
rm -f "$build_dir"/kmodd_*.deb "$build_dir"/kmodd-dbgsym_*.ddeb
(cd "$build_dir" && cpack -G DEB) >&2
ls "$build_dir"/kmodd_*.deb

#!/usr/bin/env bash
# Configures a release build of kmodd as debian/rules builds the package, for the VM guest's
# install tree (tests/vm/install-tree.sh):
#
#   scripts/configure-release.sh BUILD_DIR
#
# For /usr and /etc (the paths in the units and the D-Bus activation file are fixed at
# configure time), RelWithDebInfo, without tests or sanitizers, with all of dpkg-buildflags'
# hardening (kmodd holds CAP_SYS_MODULE). Warnings are the development builds' business: a compiler
# that warns only at -O2 must not keep a release from being built.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: configure-release.sh BUILD_DIR" >&2
    exit 2
fi
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$(realpath -m "$1")

# dpkg-buildflags maps the source directory to "." in the debug information: run from there.
cd "$source_dir"
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
flags() { dpkg-buildflags --get "$1"; }
cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_SYSCONFDIR=/etc \
    -DKMODD_BUILD_TESTS=OFF -DKMODD_SANITIZE=OFF -DKMODD_WERROR=OFF \
    -DCMAKE_C_FLAGS="$(flags CPPFLAGS) $(flags CFLAGS)" \
    -DCMAKE_CXX_FLAGS="$(flags CPPFLAGS) $(flags CXXFLAGS)" \
    -DCMAKE_EXE_LINKER_FLAGS="$(flags LDFLAGS)" -DCMAKE_SHARED_LINKER_FLAGS="$(flags LDFLAGS)"

#!/bin/bash
# Builds kmodd for the VM guest and installs it into an install tree, as a package would be:
#
#   install-tree.sh SOURCE_DIR BUILD_DIR DESTDIR
#
# BUILD_DIR is configured for /usr and /etc (the paths in the units and the D-Bus activation
# file are fixed at configure time), optimised, without sanitizers or tests; it is reused, so
# a second run only rebuilds what changed. DESTDIR is replaced, and kmodd.service is enabled
# in it (which enables kmodd-boot.service through Also=).
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: install-tree.sh SOURCE_DIR BUILD_DIR DESTDIR" >&2
    exit 2
fi
source_dir=$1
build_dir=$2
destdir=$(realpath -m "$3")

# Warnings are the development builds' business: a compiler that warns only at -O2 must not
# keep the VM tests from running.
cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_SYSCONFDIR=/etc \
    -DKMODD_BUILD_TESTS=OFF -DKMODD_SANITIZE=OFF -DKMODD_WERROR=OFF
cmake --build "$build_dir" -j "$(nproc)"
rm -rf "$destdir"
DESTDIR=$destdir cmake --install "$build_dir"
systemctl --root="$destdir" enable kmodd.service

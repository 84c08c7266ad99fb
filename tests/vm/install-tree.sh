#!/bin/bash
# Builds kmodd for the VM guest and installs it into an install tree, as a package would be:
#
#   install-tree.sh SOURCE_DIR BUILD_DIR DESTDIR
#
# BUILD_DIR is configured by scripts/configure-release.sh, as for the Debian package (for /usr
# and /etc, optimised and hardened, without sanitizers or tests); it is reused, so a second run
# only rebuilds what changed. DESTDIR is replaced, and kmodd.service is enabled
# in it (which enables kmodd-boot.service through Also=).
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: install-tree.sh SOURCE_DIR BUILD_DIR DESTDIR" >&2
    exit 2
fi
source_dir=$1
build_dir=$2
destdir=$(realpath -m "$3")

"$source_dir/scripts/configure-release.sh" "$build_dir"
cmake --build "$build_dir" -j "$(nproc)"
rm -rf "$destdir"
DESTDIR=$destdir cmake --install "$build_dir"
systemctl --root="$destdir" enable kmodd.service

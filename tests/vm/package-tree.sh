#!/bin/bash
# Builds the Debian package and puts it in a tree for run-vm.sh, as /root/kmodd.deb: the
# guest installs it with dpkg, not by copying files (scenarios/deb.sh).
#
#   package-tree.sh SOURCE_DIR BUILD_DIR TREE
#
# scripts/package.sh copies SOURCE_DIR's files into BUILD_DIR and runs dpkg-buildpackage there,
# so nothing is written into SOURCE_DIR. TREE is replaced.
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: package-tree.sh SOURCE_DIR BUILD_DIR TREE" >&2
    exit 2
fi
deb=$("$1/scripts/package.sh" "$2" | tail -n 1)
tree=$(realpath -m "$3")
rm -rf "$tree"
mkdir -p "$tree/root"
cp "$deb" "$tree/root/kmodd.deb"
echo "package-tree: $deb is /root/kmodd.deb in $tree"

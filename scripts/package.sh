#!/usr/bin/env bash
# Builds the Debian package (debian/) with dpkg-buildpackage, away from the source tree:
#
#   scripts/package.sh [BUILD_DIR]      BUILD_DIR defaults to build/package
#
# The checkout's files (tracked and new ones, not ignored ones, as they are in the working tree)
# are copied to BUILD_DIR/kmodd-VERSION, which is replaced, and built there, since
# dpkg-buildpackage writes into the tree it builds (debian/kmodd/, obj-*/). The .deb and the
# -dbgsym .deb land in BUILD_DIR; the last line printed is the path of the .deb.
set -euo pipefail

source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$(realpath -m "${1:-$source_dir/build/package}")
for tool in dpkg-buildpackage dh; do
    if ! command -v "$tool" >/dev/null; then
        echo "package.sh: $tool is missing (scripts/install-deps.sh installs dpkg-dev and debhelper)" >&2
        exit 1
    fi
done

version=$(cd "$source_dir" && dpkg-parsechangelog -S Version)
tree=$build_dir/kmodd-$version
rm -rf "$tree"
mkdir -p "$tree"
cd "$source_dir"
# Files deleted but not yet committed are still listed: left out.
git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' file; do
        if [[ -e $file || -L $file ]]; then printf '%s\0' "$file"; fi
    done |
    tar --null -T - -cf - | tar -C "$tree" -xf -
rm -f "$build_dir"/kmodd_*.deb "$build_dir"/kmodd-dbgsym_*.deb "$build_dir"/kmodd_*.buildinfo \
    "$build_dir"/kmodd_*.changes
(cd "$tree" && dpkg-buildpackage -us -uc -b) >&2
ls "$build_dir"/kmodd_"$version"_*.deb

#!/bin/bash
# Fetches the Debian kernel that linux-image-amd64 points at (KMODD_VM_KERNEL picks the suite,
# see vm-cache.sh), unpacks it without running its install hooks, indexes its modules and
# extracts the uncompressed kernel (QEMU boots that through its PVH entry point, seconds faster
# under TCG than decompressing the bzImage).
# Idempotent: a complete cache is reused as it is (delete the kernel's cache directory to move
# to a newer kernel). Prints the kernel release.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=vm-cache.sh
. "$here/vm-cache.sh"
# Written last: its presence means the unpacked tree is complete.
release_file=$kernel_dir/release

if [[ -s $release_file ]]; then
    cat "$release_file"
    exit 0
fi
rm -rf "$kernel_dir"
mkdir -p "$kernel_dir/download"

# Another suite's packages come from an apt state of their own (its sources list, package
# lists, cache and an empty dpkg status): this machine's sources and lists stay as they are.
apt_options=()
if [[ -n $kernel_suite ]]; then
    apt_dir=$kernel_dir/apt
    mkdir -p "$apt_dir"/{sources.list.d,preferences.d,lists/partial,cache/archives/partial}
    # The mirror this machine's own sources name.
    cat >"$apt_dir/sources.list.d/$kernel_suite.sources" <<SOURCES
Types: deb
URIs: ${KMODD_VM_MIRROR:-http://deb.debian.org/debian}
Suites: $kernel_suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
    : >"$apt_dir/status"
    apt_options=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
        -o Dir::Etc::Preferences=/dev/null -o "Dir::Etc::PreferencesParts=$apt_dir/preferences.d"
        -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
        -o "Dir::State::status=$apt_dir/status" -o APT::Architectures=amd64
        -o Acquire::Languages=none)
    apt-get "${apt_options[@]}" update -qq >&2
fi

kernel_package() {
    apt-cache "${apt_options[@]}" depends linux-image-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}
package=$(kernel_package)
if [[ -z $package && -z $kernel_suite ]]; then
    # A fresh container has no package lists.
    apt-get update -qq >&2
    package=$(kernel_package)
fi
if [[ -z $package ]]; then
    echo "fetch-kernel: apt-cache knows no linux-image-amd64 dependency${kernel_suite:+ in $kernel_suite}" >&2
    exit 1
fi

(cd "$kernel_dir/download" && apt-get "${apt_options[@]}" download "$package" >&2)
root=$kernel_dir/root
dpkg -x "$kernel_dir"/download/"$package"_*.deb "$root"
# Debian 13 installs its modules under /usr/lib/modules: give the unpacked tree the merged-/usr
# root's lib -> usr/lib, so that depmod -b and every path below find them in either layout.
if [[ ! -e $root/lib && -d $root/usr/lib/modules ]]; then
    ln -s usr/lib "$root/lib"
fi

release=$(ls "$root/lib/modules")
if [[ ! -f $root/boot/vmlinuz-$release ]]; then
    echo "fetch-kernel: $package has no boot/vmlinuz-$release" >&2
    exit 1
fi
depmod -b "$root" "$release"

# Debian's bzImage carries the kernel as one compressed stream (xz in Debian 12, zstd in
# Debian 13, as its config says), followed by more of the bzImage: the decompressor stops at the
# end of the stream (zstd then complains about what follows, hence the || true).
bzimage=$root/boot/vmlinuz-$release
if grep -qx CONFIG_KERNEL_ZSTD=y "$root/boot/config-$release"; then
    magic='\x28\xb5\x2f\xfd' decompress=(zstd -dcq)
else
    magic='\xfd7zXZ\x00' decompress=(xz -dc --single-stream)
fi
offset=$(LC_ALL=C grep -obUaP "$magic" "$bzimage" | awk -F: 'NR == 1 { print $1 }')
tail -c +"$((offset + 1))" "$bzimage" | "${decompress[@]}" >"$kernel_dir/vmlinux" 2>/dev/null || true
if [[ $(head -c 4 "$kernel_dir/vmlinux") != $'\x7fELF' ]]; then
    echo "fetch-kernel: found no ${decompress[0]}-compressed ELF kernel in $bzimage" >&2
    exit 1
fi
rm -rf "$kernel_dir/download" "$kernel_dir/apt"

echo "$release" >"$release_file"
echo "$release"

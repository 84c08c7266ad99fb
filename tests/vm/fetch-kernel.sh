#!/bin/bash
# Fetches the Debian kernel that linux-image-amd64 points at, unpacks it without running its
# install hooks, indexes its modules and extracts the uncompressed kernel (QEMU boots that
# through its PVH entry point, seconds faster under TCG than decompressing the bzImage).
# Idempotent: a complete cache is reused as it is (delete the cache directory to move to a
# newer kernel). Prints the kernel release.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=$(realpath -m "${KMODD_VM_CACHE:-$here/../../build/vm-cache}")
kernel_dir=$cache/kernel
# Written last: its presence means the unpacked tree is complete.
release_file=$kernel_dir/release

if [[ -s $release_file ]]; then
    cat "$release_file"
    exit 0
fi

kernel_package() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}
package=$(kernel_package)
if [[ -z $package ]]; then
    # A fresh container has no package lists.
    apt-get update -qq >&2
    package=$(kernel_package)
fi
if [[ -z $package ]]; then
    echo "fetch-kernel: apt-cache knows no linux-image-amd64 dependency" >&2
    exit 1
fi

rm -rf "$kernel_dir"
mkdir -p "$kernel_dir/download"
(cd "$kernel_dir/download" && apt-get download "$package" >&2)
dpkg -x "$kernel_dir"/download/"$package"_*.deb "$kernel_dir/root"

release=$(ls "$kernel_dir/root/lib/modules")
if [[ ! -f $kernel_dir/root/boot/vmlinuz-$release ]]; then
    echo "fetch-kernel: $package has no boot/vmlinuz-$release" >&2
    exit 1
fi
depmod -b "$kernel_dir/root" "$release"

# Debian's bzImage carries the kernel as an xz stream, followed by more of the bzImage.
bzimage=$kernel_dir/root/boot/vmlinuz-$release
offset=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$bzimage" | awk -F: 'NR == 1 { print $1 }')
xz -dc --single-stream <(tail -c +"$((offset + 1))" "$bzimage") >"$kernel_dir/vmlinux"
if [[ $(head -c 4 "$kernel_dir/vmlinux") != $'\x7fELF' ]]; then
    echo "fetch-kernel: found no xz-compressed ELF kernel in $bzimage" >&2
    exit 1
fi
rm -rf "$kernel_dir/download"

echo "$release" >"$release_file"
echo "$release"

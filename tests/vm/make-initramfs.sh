#!/bin/bash
# Builds the initramfs for the cached kernel: busybox-static, the modules that mount this
# machine's root over 9p under an overlay (uncompressed: busybox's insmod reads plain .ko files)
# and initramfs-init.sh as /init. Prints its path.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=vm-cache.sh
. "$here/vm-cache.sh"
release=$("$here/fetch-kernel.sh")
kernel_root=$kernel_dir/root
output=$cache/initramfs-$release.cpio

# What mounts the root; modprobe puts their dependencies, which differ between kernels, first.
modules=(virtio_pci virtio_rng 9pnet_virtio 9p overlay)

staging=$(mktemp -d "$cache/initramfs.XXXXXX")
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging"/{bin,dev,proc,sys,lower,rw,newroot,modules}
cp /bin/busybox "$staging/bin/busybox"
ln -s busybox "$staging/bin/sh"
cp "$here/initramfs-init.sh" "$staging/init"
chmod 755 "$staging/init"

# One "insmod FILE" line per module in load order, a shared dependency once; "builtin NAME"
# for one built into the kernel.
modprobe -d "$kernel_root" -S "$release" -a --show-depends "${modules[@]}" |
    awk '$1 == "insmod" && !seen[$2]++ { print $2 }' >"$staging/files"
while IFS= read -r file; do
    name=$(basename "$file")
    case $name in
    *.ko.xz) xz -dc "$file" >"$staging/modules/${name%.xz}" ;;
    *.ko.zst) zstd -dcq "$file" >"$staging/modules/${name%.zst}" ;;
    *.ko) cp "$file" "$staging/modules/" ;;
    *)
        echo "make-initramfs: $file is not a .ko, .ko.xz or .ko.zst" >&2
        exit 1
        ;;
    esac
    echo "${name%.ko*}.ko" >>"$staging/modules/load-order"
done <"$staging/files"
rm "$staging/files"

(cd "$staging" && find . | busybox cpio -o -H newc -R 0:0 >"$output.tmp" 2>/dev/null)
mv "$output.tmp" "$output"
echo "$output"

#!/bin/bash
# Builds the initramfs for the cached kernel: busybox-static, the modules that mount this
# machine's root over 9p under an overlay, and initramfs-init.sh as /init. Prints its path.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=$(realpath -m "${KMODD_VM_CACHE:-$here/../../build/vm-cache}")
release=$("$here/fetch-kernel.sh")
kernel_root=$cache/kernel/root
output=$cache/initramfs-$release.cpio

# In load order: each one's dependencies come before it.
modules=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
    virtio_rng netfs fscache 9pnet 9pnet_virtio 9p overlay)

staging=$(mktemp -d "$cache/initramfs.XXXXXX")
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging"/{bin,dev,proc,sys,lower,rw,newroot,modules}
cp /bin/busybox "$staging/bin/busybox"
ln -s busybox "$staging/bin/sh"
cp "$here/initramfs-init.sh" "$staging/init"
chmod 755 "$staging/init"

for module in "${modules[@]}"; do
    file=$(modinfo -b "$kernel_root" -k "$release" -F filename "$module")
    if [[ $file == "(builtin)" ]]; then
        continue
    fi
    cp "$file" "$staging/modules/"
    basename "$file" >>"$staging/modules/load-order"
done

(cd "$staging" && find . | busybox cpio -o -H newc -R 0:0 >"$output.tmp" 2>/dev/null)
mv "$output.tmp" "$output"
echo "$output"

#!/bin/sh
# /init of the test VM (busybox): mounts this machine's root read-only over 9p as the lower
# layer of an overlay on tmpfs, mounts the writable results share and switches to the guest
# init named in the run's settings. Any failure ends PID 1, which powers the VM off.
set -eu
/bin/busybox --install -s /bin

mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
while read -r module; do
    insmod "/modules/$module"
done </modules/load-order

# cache=loose: the host's files are taken as unchanging during a run, which makes the guest
# several times faster (every exec otherwise re-reads its binary and libraries over 9p).
mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=262144,cache=loose hostroot /lower
mount -t tmpfs -o mode=755 rw /rw
mkdir /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot
mkdir -p /newroot/vm-results
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /newroot/vm-results

# shellcheck source=/dev/null # written by run-vm.sh
. /newroot/vm-results/run.conf
for fs in dev proc sys; do
    mount --move "/$fs" "/newroot/$fs"
done
exec switch_root /newroot /bin/bash "$VM_DIR/guest/init.sh"

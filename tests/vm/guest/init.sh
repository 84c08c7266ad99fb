#!/bin/bash
# PID 1 of the test VM after switch_root: completes the root (a fresh /run, the downloaded
# kernel's modules, the install tree), then runs the scenario with services started by hand
# (plain) or hands PID 1 over to systemd. A failure here ends PID 1 and so powers the VM off.
set -euo pipefail
# shellcheck source=/dev/null # written by run-vm.sh
. /vm-results/run.conf

# The host's /run (pid files, sockets, /run/systemd) must not leak into the guest.
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm

# A real directory, not a symlink: kmodd refuses symlinks on a module's path.
mkdir -p "/lib/modules/$RELEASE"
mount --bind "$MODULES_DIR" "/lib/modules/$RELEASE"

# tar, unlike cp, copies a tree's lib/ into the merged-/usr root's lib -> usr/lib symlink.
# Owned by root, as a package manager installs them, whoever built the tree.
while IFS= read -r tree; do
    [[ -n $tree ]] || continue
    tar -C "$tree" --owner=0 --group=0 -cf - . | tar -C / -xf - --keep-directory-symlink
    # The system users the tree declares (kmodd.service runs as kmodd), as a package's
    # postinst creates them: this machine's /etc, the guest's lower layer, has none of them.
    for users in "$tree"/usr/lib/sysusers.d/*.conf; do
        if [[ -e $users ]]; then systemd-sysusers "/usr/lib/sysusers.d/${users##*/}"; fi
    done
done </vm-results/install-trees

echo "kmodd-vm: root ready, starting the $MODE mode"
case $MODE in
plain)
    exec "$VM_DIR/guest/plain.sh"
    ;;
systemd)
    cat >/etc/systemd/system/kmodd-vm-scenario.service <<UNIT
[Unit]
Description=kmodd VM test scenario
After=multi-user.target

[Service]
# exec, not oneshot: the boot transaction completes while the scenario runs.
Type=exec
ExecStart=$VM_DIR/guest/run-scenario.sh
UNIT
    mkdir -p /etc/systemd/system/multi-user.target.wants
    ln -s ../kmodd-vm-scenario.service /etc/systemd/system/multi-user.target.wants/
    # Debian's tmpfiles rule "D /tmp" empties /tmp at boot. Here /tmp is this machine's /tmp
    # seen through the overlay, where a checkout (and so the scenarios and the bind-mounted
    # module directory) may live: keep it.
    mkdir -p /etc/tmpfiles.d
    echo 'd /tmp 1777 root root -' >/etc/tmpfiles.d/tmp.conf
    # Services of this machine that kmodd's tests do not need and that take seconds under TCG.
    for unit in postgresql.service e2scrub_reap.service; do
        ln -sf /dev/null "/etc/systemd/system/$unit"
    done
    exec /lib/systemd/systemd
    ;;
esac
echo "kmodd-vm: unknown mode '$MODE'" >&2
exit 1

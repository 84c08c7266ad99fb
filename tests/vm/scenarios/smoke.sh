#!/bin/bash
# vm-services: dbus polkit
# Proves the VM harness: the guest runs the downloaded kernel with its modules in place,
# modprobe loads and unloads a real module with parameters, finit_module works, and dbus and
# polkit are up (in the systemd mode: started by systemd, with the system fully booted).
set -euo pipefail
trap 'echo "smoke: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

step() { echo "smoke: $*"; }

release=$(uname -r)
step "kernel $release"
test -f "/lib/modules/$release/modules.dep"
test -f "/lib/modules/$release/kernel/drivers/net/dummy.ko"

bus() {
    busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus "$@"
}
# polkit is D-Bus activated: by systemd in the systemd mode, already running in the plain one.
bus StartServiceByName su org.freedesktop.PolicyKit1 0 >/dev/null
bus NameHasOwner s org.freedesktop.PolicyKit1 | grep -qx 'b true'
step "dbus and polkit answer on the system bus"

if [[ -d /run/systemd/system ]]; then
    state=$(timeout 120 systemctl is-system-running --wait || true)
    step "systemd reports the system $state"
    systemctl --failed --no-pager --no-legend
    [[ $state == running || $state == degraded ]]
    systemctl is-active dbus.service polkit.service
fi

modprobe dummy numdummies=3
for i in 0 1 2; do
    ip link show "dummy$i" >/dev/null
done
test ! -e /sys/class/net/dummy3
step "modprobe dummy numdummies=3 made dummy0..dummy2"
modprobe -r dummy
test ! -e /sys/module/dummy
step "modprobe -r dummy unloaded it"

# finit_module and delete_module called directly: the syscalls kmodd itself makes.
/usr/bin/python3 - "/lib/modules/$release/kernel/drivers/net/dummy.ko" <<'PY'
import ctypes, os, sys
SYS_finit_module, SYS_delete_module = 313, 176
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_CLOEXEC)
if libc.syscall(SYS_finit_module, fd, b"numdummies=1", 0) != 0:
    sys.exit(f"finit_module: {os.strerror(ctypes.get_errno())}")
os.close(fd)
if not os.path.exists("/sys/class/net/dummy0") or os.path.exists("/sys/class/net/dummy1"):
    sys.exit("finit_module did not pass numdummies=1")
if libc.syscall(SYS_delete_module, b"dummy", os.O_NONBLOCK) != 0:
    sys.exit(f"delete_module: {os.strerror(ctypes.get_errno())}")
PY
test ! -e /sys/module/dummy
step "finit_module and delete_module work"

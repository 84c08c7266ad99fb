#!/bin/bash
# vm-services: dbus polkit kmodd
# kmodd's view of the kernel: concurrent requests for one module share one load, loads and
# unloads made behind its back (modprobe, rmmod) are seen and published on the bus, and after
# a crash the next call D-Bus-activates it (dbus-daemon runs its Exec=: systemd is not PID 1)
# with its state read back from the kernel.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib/assert.sh
. "$(dirname "$0")/lib/assert.sh"

monitor_log=/vm-results/state-monitor.log
signals_log=/vm-results/state-signals.log
kmodctl monitor >"$monitor_log" 2>&1 &
dbus-monitor --system "type='signal',sender='org.kmodd.Manager1',path='/org/kmodd/Manager1'" \
    >"$signals_log" 2>&1 &
# signalled MEMBER MODULE: dbus-monitor saw Manager1's signal MEMBER carrying MODULE.
signalled() { grep -A1 "member=$1\$" "$signals_log" | grep -qx "   string \"$2\""; }
# Both subscribe asynchronously: a load through kmodd tells when they listen.
expect 0 kmodctl load dummy
wait_until 20 grep -qx 'loaded dummy' "$monitor_log"
wait_until 20 signalled ModuleLoaded dummy
expect 0 kmodctl unload dummy
step "kmodctl monitor and dbus-monitor are listening"

pids=()
for i in $(seq 10); do
    kmodctl load veth >"/tmp/load-veth.$i" 2>&1 &
    pids+=($!)
done
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || fail "load $((i + 1)) of 10 concurrent kmodctl load veth failed: $(cat "/tmp/load-veth.$((i + 1))")"
done
expect_loaded veth
wait_until 10 grep -qx 'loaded veth' "$monitor_log"
loads=$(grep -c -x 'loaded veth' "$monitor_log")
[[ $loads -eq 1 ]] || fail "veth was published as loaded $loads times"
step "10 concurrent kmodctl load veth all succeeded; veth was loaded and published once"
expect 0 kmodctl unload veth

modprobe ifb numifbs=1
wait_until 10 listed ifb
wait_until 10 grep -qx 'loaded ifb' "$monitor_log"
wait_until 10 signalled ModuleLoaded ifb
step "modprobe ifb, outside kmodd: listed, and ModuleLoaded ifb was signalled"
rmmod ifb
wait_until 10 grep -qx 'unloaded ifb' "$monitor_log"
unlisted ifb || fail "ifb is still listed after rmmod"
wait_until 10 signalled ModuleUnloaded ifb
step "rmmod ifb: unlisted, and ModuleUnloaded ifb was signalled"

crashed=$(pidof kmodd)
kill -9 "$crashed"
wait_until 10 kmodd_off_bus
modprobe dummy numdummies=1
expect 0 kmodctl list
expect_output dummy
activated=$(pidof kmodd)
[[ -n $activated && $activated != "$crashed" ]] || fail "kmodd was not started again (pid '$activated')"
step "after kill -9, kmodctl list started kmodd again (pid $crashed -> $activated) and it lists dummy, loaded meanwhile"
expect 0 kmodctl status dummy
expect_output live
expect 0 kmodctl unload dummy
expect_not_loaded dummy
step "the activated kmodd unloads dummy"

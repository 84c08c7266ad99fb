#!/bin/bash
# kmodd under systemd, as installed and enabled: the boot list is loaded at boot through
# kmodd-boot.service, kmodd-load@.service loads a module, a stopped kmodd.service comes back
# by D-Bus activation, the units verify, and the hardened sandbox lets kmodd do its work
# (uevents reach it despite PrivateNetwork=, polkit is reachable).
# Run with the install tree and scenarios/systemd.root (the boot list) as install trees.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib/assert.sh
. "$(dirname "$0")/lib/assert.sh"

state=$(timeout 120 systemctl is-system-running --wait || true)
step "systemd reports the system $state"
[[ $state == running || $state == degraded ]] || fail "the system is $state"
expect 0 systemctl is-active kmodd.service kmodd-boot.service
expect_loaded dummy ifb
expect_links dummy 2
expect_links ifb 1
# expect_request MODULE FIELD=VALUE...: kmodd's journal has a record for MODULE with these fields.
expect_request() {
    local module=$1 field
    shift
    expect 0 journalctl -b --no-pager -o verbose "KMODD_MODULE=$module"
    for field in "$@"; do
        expect_output "$field"
    done
}
expect_request dummy KMODD_RESULT=ok KMODD_CALLER_UNIT=kmodd-boot.service numdummies=2
expect_request ifb KMODD_RESULT=ok KMODD_CALLER_UNIT=kmodd-boot.service numifbs=1
step "at boot, kmodd-boot.service loaded dummy (numdummies=2) and ifb (numifbs=1) through kmodd"

pid=$(systemctl show -P MainPID kmodd.service)
user=$(ps -o user= -p "$pid")
[[ $user == kmodd ]] || fail "kmodd.service runs as '$user', not as the user kmodd"
# Only CAP_SYS_MODULE (bit 16), effective and in the bounding set.
expect 0 grep -E '^Cap(Eff|Bnd):' "/proc/$pid/status"
[[ $output == *"CapEff:"*"0000000000010000"*"CapBnd:"*"0000000000010000"* ]] ||
    fail "kmodd's capabilities are not CAP_SYS_MODULE alone: $output"
step "kmodd.service runs as the user kmodd with CAP_SYS_MODULE alone and loaded the boot list"

expect 0 systemctl start kmodd-load@veth.service
expect_loaded veth
expect_request veth KMODD_RESULT=ok KMODD_OPERATION=load KMODD_CALLER_UNIT=kmodd-load@veth.service
step "systemctl start kmodd-load@veth loaded veth; kmodd's journal:" \
    "$(journalctl -b --no-pager -o cat KMODD_MODULE=veth)"

expect 0 kmodctl unload veth
expect_not_loaded veth
# Root's kmodctl went to root's socket, not through the bus: its record names no bus name.
expect 0 stat -c '%U %a %F' /run/kmodd /run/kmodd/private
[[ $output == "kmodd 700 directory"$'\n'"kmodd 600 socket" ]] ||
    fail "root's socket is not /run/kmodd/private (0600) in kmodd's 0700 /run/kmodd: $output"
record=$(journalctl -b --no-pager -o export KMODD_MODULE=veth KMODD_OPERATION=unload)
[[ $record == *KMODD_CALLER_UID=0* && $record != *KMODD_CALLER_BUS_NAME=* ]] ||
    fail "root's unload of veth did not come on root's socket: $record"
step "root's kmodctl unloaded veth on root's socket, /run/kmodd/private (0600, in kmodd's 0700" \
    "RuntimeDirectory)"
modprobe macvlan
wait_until 10 listed macvlan
rmmod macvlan
wait_until 10 unlisted macvlan
step "inside its private network namespace kmodd sees the kernel's uevents (modprobe/rmmod macvlan)"
expect_refused 3 polkit "${nobody[@]}" kmodctl --no-ask-password load veth
# polkitd answers the non-root kmodd about another user's process because kmodd owns the
# actions (org.freedesktop.policykit.owner): with a rule allowing it, nobody's load succeeds.
allow_nobody_to_load_veth
expect_loaded veth
rm "$polkit_rules"
expect 0 kmodctl unload veth
step "polkitd answered kmodd (user kmodd) about nobody: no, then yes once a rule allowed veth"

expect 0 systemctl stop kmodd.service
expect 3 systemctl is-active kmodd.service
[[ ! -e /run/kmodd ]] || fail "/run/kmodd is left after kmodd stopped"
expect 0 kmodctl list
expect_output dummy
expect 0 systemctl is-active kmodd.service
step "after systemctl stop kmodd, kmodctl list D-Bus-activated kmodd.service again"

units=(kmodd.service kmodd-boot.service kmodd-load@dummy.service)
expect 0 systemd-analyze verify "${units[@]}"
[[ -z $output ]] || fail "systemd-analyze verify ${units[*]} warned: $output"
step "systemd-analyze verify passes on ${units[*]}"
# The loaded unit, and the unit file alone as SPEC.md's target names it (--offline=true).
for how in --offline=false --offline=true; do
    expect 0 systemd-analyze security --no-pager "$how" kmodd.service
    exposure=$(sed -n 's/.*Overall exposure level for kmodd.service: \([0-9.]*\).*/\1/p' <<<"$output")
    awk -v exposure="$exposure" 'BEGIN { exit !(exposure != "" && exposure <= 1.2) }' ||
        fail "kmodd.service's exposure ($how) is '$exposure', above the target 1.2"
    step "systemd-analyze security $how: kmodd.service's exposure is $exposure (target: 1.2 at most)"
done

denials=$(journalctl -b -u kmodd.service --no-pager -o cat |
    grep -E 'status=31/SYS|Operation not permitted|Permission denied' || true)
[[ -z $denials ]] || fail "kmodd's journal shows a sandbox denial: $denials"
step "kmodd's journal shows no sandbox denial (SIGSYS, EPERM, EACCES)"

#!/bin/bash
# vm-services: dbus polkit kmodd
# The machine's module configuration binds kmodd as it binds modprobe, and kmodd is stricter
# where modprobe is unsafe: modprobe.d options under the request's parameters, a softdep
# loaded first and unloaded with its module, an install rule that disables a module, a
# blacklisted alias, an unload that removes what its load inserted and keeps what was loaded
# before, a failed load rolled back, a type error refused before the kernel, a dry run, and
# kernel.modules_disabled named (last: it cannot be undone).
set -eu
# shellcheck source-path=SCRIPTDIR source=lib/assert.sh
. "$(dirname "$0")/lib/assert.sh"

# After systemd.conf in lexical order: its "options dummy numdummies=0" would come later and win.
conf=/etc/modprobe.d/zz-kmodd-test.conf
# write_modprobe_conf TEXT: the scenario's modprobe.d file; kmodd sees it on its next request.
write_modprobe_conf() {
    mkdir -p /etc/modprobe.d
    printf '%s\n' "$1" >"$conf"
}

write_modprobe_conf 'options dummy numdummies=3'
expect 0 kmodctl --verbose load dummy
expect_output "numdummies=3"
loaded=$output
expect_links dummy 3
expect 0 kmodctl unload dummy
step "'options dummy numdummies=3' in modprobe.d made three dummy links: $loaded"
expect 0 kmodctl load dummy numdummies=1
expect_links dummy 1
expect 0 kmodctl unload dummy
step "the request's numdummies=1 overrode modprobe.d's"

write_modprobe_conf 'softdep dummy pre: nlmon'
expect 0 kmodctl --verbose load dummy
expect_output "Loaded dummy and its dependencies nlmon"
expect_loaded nlmon dummy
# /proc/modules lists the newest first.
order=$(grep -E '^(nlmon|dummy) ' /proc/modules | cut -d' ' -f1 | xargs)
[[ $order == "dummy nlmon" ]] || fail "nlmon was not loaded before dummy: $order"
step "'softdep dummy pre: nlmon' loaded nlmon first ($order, newest first)"
expect 0 kmodctl --verbose unload dummy
expect_output "nlmon"
expect_not_loaded dummy nlmon
step "unloading dummy took nlmon along: $output"

write_modprobe_conf 'softdep dummy pre: floppy nlmon'
write_config 'deny: [floppy]'
expect 0 kmodctl load dummy
expect_output "soft dependency floppy of dummy is not loaded"
expect_loaded dummy nlmon
expect_not_loaded floppy
step "a denied softdep did not fail the load: $output"
expect 0 kmodctl unload dummy
write_config '{}'

write_modprobe_conf '# hardening
install vcan /bin/false'
expect_refused 3 "'install vcan /bin/false' in $conf line 2 disables it" kmodctl load vcan
expect_not_loaded vcan
write_modprobe_conf 'install vcan /sbin/modprobe --ignore-install vcan'
expect_refused 3 "kmodd runs no commands" kmodctl load vcan
expect_not_loaded vcan
step "install rules: vcan never reached the kernel"

write_modprobe_conf 'blacklist brd'
expect_refused 3 "blacklists" kmodctl load rd
expect_not_loaded brd
expect 0 kmodctl load brd rd_nr=1
expect_loaded brd
expect 0 kmodctl unload brd
step "the blacklisted brd did not load through its alias rd, and loads by its own name"
rm "$conf"

modprobe llc
expect 0 kmodctl --verbose load 8021q
expect_loaded 8021q mrp garp stp llc
expect 0 kmodctl --verbose unload 8021q
expect_output "Unloaded 8021q and what its load had inserted"
expect_not_loaded 8021q mrp garp stp
expect_loaded llc
step "unloading 8021q removed what its load inserted and kept llc, loaded before: $output"
modprobe -r llc

deps=$(modinfo -F depends bonding)
[[ -n $deps ]] || fail "bonding has no dependencies in this kernel: the rollback shows nothing"
expect_refused 1 "removed again what this request had inserted: ${deps//,/, }" \
    kmodctl load bonding mode=bogus
expect_not_loaded bonding "${deps//,/ }"
step "the failed bonding mode=bogus took its dependencies ($deps) out again"

dmesg -C
expect_refused 1 "parameter 'numdummies' of dummy takes int" kmodctl load dummy numdummies=abc
expect_not_loaded dummy
! dmesg | grep -q "invalid for parameter" || fail "the kernel saw the bad value: $(dmesg)"
step "numdummies=abc was refused before the kernel saw it"

expect 0 "${nobody[@]}" kmodctl --no-ask-password load --dry-run vxlan log_ecn_error=N
expect_output "insert vxlan $module_dir/kernel/drivers/net/vxlan/vxlan.ko log_ecn_error=N"
expect_output "insert udp_tunnel "
expect_not_loaded vxlan udp_tunnel ip6_udp_tunnel
step "a dry run, as an unprivileged user without polkit, printed the plan and loaded nothing:" \
    "$output"

echo 1 >/proc/sys/kernel/modules_disabled
expect_refused 1 "kernel.modules_disabled=1" kmodctl load dummy
expect_not_loaded dummy
step "with kernel.modules_disabled=1 the refusal names it"

#!/bin/bash
# vm-services: dbus polkit
# Debian 13's kernel (run with KMODD_VM_KERNEL=trixie): every module is a .ko.xz and the kernel
# decompresses them itself. kmodd, under strace, loads real modules with parameters, dependencies
# and an alias by passing their files to finit_module with MODULE_INIT_COMPRESSED_FILE, refuses
# an untrusted one, and loads .ko.xz files whose xz check (SHA-256, CRC64) the kernel's decoder
# refuses through its own decompression and init_module, never finit_module, saying why in its
# log, and refuses to force-load one.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib/assert.sh
. "$(dirname "$0")/lib/assert.sh"

[[ $(</sys/module/compression) == xz ]] || fail "this kernel does not decompress xz modules"
net_dir=$module_dir/kernel/drivers/net
[[ -f $net_dir/dummy.ko.xz && ! -e $net_dir/dummy.ko ]] || fail "dummy is not a .ko.xz here"
step "kernel $release decompresses xz modules, and dummy is $net_dir/dummy.ko.xz"

# start_kmodd LOG [ARGUMENTS...]: kmodd with its debug log, its module syscalls traced.
start_kmodd() {
    local log=$1
    shift
    strace -f -qq -e trace=finit_module,init_module -o "$log.strace" \
        /usr/libexec/kmodd --log-level debug "$@" >"$log" 2>&1 &
    wait_until 30 kmodd_on_bus
}
stop_kmodd() {
    kill "$(pidof kmodd)"
    wait_until 10 kmodd_off_bus
}
# expect_traced LOG PATTERN: kmodd's traced syscalls (strace -o LOG.strace) match PATTERN
# within 10 s (strace writes a line once the syscall has returned, maybe after kmodd replied).
expect_traced() {
    local deadline=$((SECONDS + 10))
    until grep -qE "$2" "$1.strace"; do
        ((SECONDS < deadline)) || fail "no syscall like '$2' in $1.strace: $(cat "$1.strace")"
        sleep 0.1
    done
}
log=/vm-results/kmodd.log
start_kmodd "$log"

expect 0 kmodctl load dummy numdummies=3
expect_links dummy 3
expect 0 kmodctl status dummy
expect_output "$net_dir/dummy.ko.xz"
grep -qF "finit_module $net_dir/dummy.ko.xz 'numdummies=3' flags 0x4" "$log" ||
    fail "kmodd's debug log shows no finit_module of dummy.ko.xz with flags 0x4: $(cat "$log")"
expect_traced "$log" '^[0-9]+ +finit_module\([0-9]+, "numdummies=3", MODULE_INIT_COMPRESSED_FILE\) = 0'
! grep -q '^[0-9]* *init_module' "$log.strace" || fail "kmodd called init_module: $(cat "$log.strace")"
expect 0 kmodctl unload dummy
expect_not_loaded dummy
step "dummy.ko.xz went to finit_module with MODULE_INIT_COMPRESSED_FILE and numdummies=3: 3 links"

expect 0 kmodctl --verbose load vxlan log_ecn_error=N
loaded=$output
expect_loaded udp_tunnel ip6_udp_tunnel vxlan
order=$(grep -E '^(vxlan|udp_tunnel|ip6_udp_tunnel) ' /proc/modules | cut -d' ' -f1 | xargs)
[[ $order == "vxlan "* ]] || fail "vxlan was not loaded after its dependencies: $order"
[[ $(</sys/module/vxlan/parameters/log_ecn_error) == N ]] || fail "vxlan's log_ecn_error is not N"
for module in udp_tunnel ip6_udp_tunnel vxlan; do
    grep -qE "finit_module \S+/$module\.ko\.xz '[^']*' flags 0x4$" "$log" ||
        fail "kmodd's debug log shows no finit_module of $module.ko.xz with flags 0x4"
done
expect_traced "$log" 'finit_module\([0-9]+, "log_ecn_error=N", MODULE_INIT_COMPRESSED_FILE\) = 0'
expect 0 kmodctl unload vxlan
expect_not_loaded vxlan udp_tunnel ip6_udp_tunnel
step "vxlan.ko.xz came after udp_tunnel.ko.xz and ip6_udp_tunnel.ko.xz ($order, newest first), each through finit_module with flags 0x4: $loaded; its unload took them along"

expect 0 kmodctl load rtnl-link-dummy numdummies=1
expect_loaded dummy
expect_links dummy 1
expect 0 kmodctl unload dummy
step "the alias rtnl-link-dummy loaded dummy.ko.xz"

ifb=$net_dir/ifb.ko.xz
chmod o+w "$ifb"
expect_refused 1 writable kmodctl load ifb
expect_output "$ifb"
expect_not_loaded ifb
chmod o-w "$ifb"

# A module directory of its own, indexed in a blink (depmod on the whole tree takes minutes
# under TCG), served by a kmodd of its own: ifb recompressed with a SHA-256 check and dummy with
# xz's default CRC64 check, which the kernel's xz decoder does not take. kmodd sees that in the
# stream header and never hands these files to finit_module.
recompressed_dir=$module_dir-xzchecks
mkdir -p "$recompressed_dir/kernel"
cp "$module_dir"/modules.{order,builtin,builtin.modinfo} "$recompressed_dir/"
xz -dc "$ifb" | xz --check=sha256 -c >"$recompressed_dir/kernel/ifb.ko.xz"
xz -dc "$net_dir/dummy.ko.xz" | xz -c >"$recompressed_dir/kernel/dummy.ko.xz"
xz --robot --list "$recompressed_dir/kernel/dummy.ko.xz" | grep -q '^file.*CRC64' ||
    fail "xz's default check is not CRC64: $(xz --robot --list "$recompressed_dir/kernel/dummy.ko.xz")"
depmod "$release-xzchecks"
stop_kmodd
dmesg_before=$(dmesg | grep -c "decompression failed" || true)
log=/vm-results/kmodd-xzchecks.log
start_kmodd "$log" --module-directory "$recompressed_dir"
expect_refused 2 "the kernel cannot decompress $recompressed_dir/kernel/ifb.ko.xz (its xz stream uses a SHA-256 check" \
    kmodctl load --force-vermagic ifb
expect_not_loaded ifb
expect 0 kmodctl load ifb numifbs=2
expect_links ifb 2
expect 0 kmodctl load dummy numdummies=2
expect_links dummy 2
expect_traced "$log" 'init_module\(0x[0-9a-f]+, [0-9]+, "numifbs=2"\) = 0'
expect_traced "$log" 'init_module\(0x[0-9a-f]+, [0-9]+, "numdummies=2"\) = 0'
! grep -q 'finit_module' "$log.strace" || fail "kmodd called finit_module: $(cat "$log.strace")"
(($(dmesg | grep -c "decompression failed" || true) == dmesg_before)) ||
    fail "the kernel was handed a file it could not decompress: $(dmesg | tail -n 5)"
why_ifb=$(grep -F "the kernel cannot decompress $recompressed_dir/kernel/ifb.ko.xz: its xz stream uses a SHA-256 check, the kernel's decompressor takes only CRC32 or none; decompressing in kmodd for init_module" "$log") ||
    fail "kmodd's log does not say why it used init_module for ifb: $(cat "$log")"
why_dummy=$(grep -F "the kernel cannot decompress $recompressed_dir/kernel/dummy.ko.xz: its xz stream uses a CRC64 check" "$log") ||
    fail "kmodd's log does not say why it used init_module for dummy: $(cat "$log")"
expect 0 kmodctl unload ifb
expect 0 kmodctl unload dummy
expect_not_loaded ifb dummy
step "ifb.ko.xz with a SHA-256 check and dummy.ko.xz with a CRC64 one went to init_module with kmodd's decompression, no finit_module for either and no decompression failure in dmesg; the log: ${why_ifb#*: } / ${why_dummy#*: }"

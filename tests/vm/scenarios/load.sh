#!/bin/bash
# vm-services: dbus polkit kmodd
# Loading and unloading real modules of the Debian kernel through kmodd: parameters and their
# effect, the YAML defaults and a request's overrides, dependencies, parameter values in
# kmodctl status, "did you mean" for a near-miss name, kmodctl monitor --json, aliases,
# built-in modules, a module in use, bad parameters, and xz- and zstd-compressed modules (this
# kernel cannot decompress: they go through init_module).
set -eu
# shellcheck source-path=SCRIPTDIR source=lib/assert.sh
. "$(dirname "$0")/lib/assert.sh"

expect 0 kmodctl load dummy numdummies=3
expect_loaded dummy
expect_links dummy 3
step "kmodctl load dummy numdummies=3 made dummy0..dummy2"
expect 0 kmodctl status dummy
expect_output "$module_dir/kernel/drivers/net/dummy.ko"
expect 0 kmodctl unload dummy
expect_not_loaded dummy
expect_links dummy 0
step "kmodctl unload dummy removed it and its links"

write_config 'modules:
  dummy:
    parameters: {numdummies: 2}'
expect 0 kmodctl load dummy
expect_links dummy 2
expect 0 kmodctl unload dummy
step "the YAML default numdummies=2 made two links"
expect 0 kmodctl load dummy numdummies=4
expect_links dummy 4
expect 0 kmodctl unload dummy
step "the request's numdummies=4 overrode the default"
write_config '{}'

expect 0 kmodctl --verbose load vxlan log_ecn_error=N
expect_loaded udp_tunnel ip6_udp_tunnel vxlan
# /proc/modules lists the newest first: the dependencies went in before vxlan.
order=$(grep -E '^(vxlan|udp_tunnel|ip6_udp_tunnel) ' /proc/modules | cut -d' ' -f1 | xargs)
[[ $order == "vxlan "* ]] || fail "vxlan was not loaded after its dependencies: $order"
step "vxlan came with its dependencies, loaded first ($order, newest first): $output"
expect 0 kmodctl status vxlan
expect_output "Parameters: log_ecn_error=N"
step "kmodctl status vxlan shows the parameter's value from sysfs: log_ecn_error=N"
expect_refused 1 vxlan kmodctl unload udp_tunnel
expect_loaded udp_tunnel
expect 0 kmodctl unload --keep-dependencies vxlan
expect_not_loaded vxlan
step "vxlan unloaded with --keep-dependencies; udp_tunnel and ip6_udp_tunnel stay until asked for"
expect 0 kmodctl unload udp_tunnel
expect 0 kmodctl unload ip6_udp_tunnel

expect_refused 4 "did you mean dummy?" kmodctl load dumy

# The JSON monitor subscribes asynchronously: load and unload until it reports, then once more.
kmodctl monitor --json >/tmp/monitor.json &
monitor=$!
for _ in $(seq 50); do
    grep -q dummy /tmp/monitor.json && break
    expect 0 kmodctl load dummy
    expect 0 kmodctl unload dummy
done
expect 0 kmodctl load veth
expect 0 kmodctl unload veth
for _ in $(seq 50); do
    grep -qxF '{"event":"unloaded","module":"veth"}' /tmp/monitor.json && break
    sleep 0.1
done
kill "$monitor"
wait "$monitor" || true
for event in '{"event":"loaded","module":"veth"}' '{"event":"unloaded","module":"veth"}'; do
    grep -qxF "$event" /tmp/monitor.json || fail "kmodctl monitor --json did not print $event"
done
step "kmodctl monitor --json printed JSON lines: $(grep '"veth"' /tmp/monitor.json | paste -sd ' ')"

expect 0 kmodctl load rtnl-link-dummy numdummies=1
expect_loaded dummy
expect_links dummy 1
expect 0 kmodctl unload dummy
step "the alias rtnl-link-dummy loaded dummy"

expect 0 kmodctl --verbose load unix
expect_output "built into the kernel"
step "the built-in unix: $output"
expect 0 kmodctl load dummy numdummies=1
expect 0 kmodctl load dummy numdummies=1
expect 0 kmodctl unload dummy
step "loading a loaded module succeeds"

expect_refused 1 "takes int" kmodctl load dummy numdummies=abc
expect_not_loaded dummy
expect_refused 1 bogus kmodctl load dummy bogus=1
expect_not_loaded dummy
# One value stays one parameter: "1 numdummies=5" is one value, and no int.
expect 1 kmodctl load dummy "numdummies=1 numdummies=5"
expect_not_loaded dummy
step "refused (exit 1): a value with a space in it: $output"
expect_refused 4 no_such_module kmodctl load no_such_module
expect_refused 4 "not loaded" kmodctl unload dummy

# Compressed modules, in a module directory of their own: depmod indexes two modules in a
# blink where the whole tree takes most of a minute under TCG. A kmodd of its own serves it.
compressed_dir=$module_dir-compressed
mkdir -p "$compressed_dir/kernel"
cp "$module_dir"/modules.{order,builtin,builtin.modinfo} "$compressed_dir/"
xz --check=crc32 -c "$module_dir/kernel/drivers/net/ifb.ko" >"$compressed_dir/kernel/ifb.ko.xz"
zstd -q -c "$module_dir/kernel/drivers/net/dummy.ko" >"$compressed_dir/kernel/dummy.ko.zst"
depmod "$release-compressed"
kill "$(pidof kmodd)"
wait_until 10 kmodd_off_bus
/usr/libexec/kmodd --module-directory "$compressed_dir" >/vm-results/kmodd-compressed.log 2>&1 &
wait_until 30 kmodd_on_bus

load_compressed() {
    local module=$1 parameter=$2 count=$3 file=$4
    expect 0 kmodctl load "$module" "$parameter=$count"
    expect_links "$module" "$count"
    expect 0 kmodctl status "$module"
    expect_output "$compressed_dir/kernel/$file"
    expect 0 kmodctl unload "$module"
    expect_not_loaded "$module"
    step "$file loaded through init_module with $parameter=$count, and unloaded"
}
load_compressed ifb numifbs 3 ifb.ko.xz
load_compressed dummy numdummies 2 dummy.ko.zst

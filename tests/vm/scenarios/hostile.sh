#!/bin/bash
# vm-services: dbus polkit kmodd
# An unprivileged user floods kmodd on the real kernel while polkitd is frozen (every check
# waits): loads of macvtap (which needs macvlan and tap) and GetModule of a large xz-compressed
# module (xfs). Meanwhile root's `kmodctl load` and `kmodctl list` keep working within a
# generous bound, nothing nobody asked for is loaded, and kmodd's descriptors and memory stay
# bounded. Then a deny reloaded while nobody's load waits for polkit stops that load.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib/assert.sh
. "$(dirname "$0")/lib/assert.sh"

# The flood runs at the lowest priority: in a guest of one emulated CPU, the clients' own
# start-up would otherwise starve root's kmodctl, and what is measured is kmodd.
flood=(nice -n 19 "${nobody[@]}")
# A seconds bound for root's commands under TCG, where one kmodctl takes 0.1-0.5 s.
bound=10

# A module directory of a few modules (depmod on the whole tree takes most of a minute under
# TCG), with xfs compressed: every GetModule of it would decompress 4 MiB.
hostile_dir=$module_dir-hostile
mkdir -p "$hostile_dir/kernel"
cp "$module_dir"/modules.{order,builtin,builtin.modinfo} "$hostile_dir/"
for module in macvtap macvlan tap dummy veth; do
    cp "$(modinfo -n "$module")" "$hostile_dir/kernel/"
done
xz -1 --check=crc32 -c "$(modinfo -n xfs)" >"$hostile_dir/kernel/xfs.ko.xz"
depmod "$release-hostile"
kill "$(pidof kmodd)"
wait_until 10 kmodd_off_bus
/usr/libexec/kmodd --module-directory "$hostile_dir" >/vm-results/kmodd-hostile.log 2>&1 &
wait_until 30 kmodd_on_bus
kmodd=$(pidof kmodd)
step "kmodd serves $hostile_dir, with xfs.ko.xz of $(stat -c %s "$hostile_dir/kernel/xfs.ko.xz") bytes"

descriptors() { find "/proc/$kmodd/fd" -mindepth 1 | wc -l; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$kmodd/status"; }
fds_before=$(descriptors) rss_before=$(rss_kib)

polkitd=$(pidof polkitd)
kill -STOP "$polkitd"
thaw() { kill -CONT "$polkitd" 2>/dev/null || true; }
trap 'thaw; echo "$scenario: FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR

loads=()
for _ in $(seq 40); do
    "${flood[@]}" busctl --system --timeout=120 call org.kmodd.Manager1 /org/kmodd/Manager1 \
        org.kmodd.Manager1 Load 'sa{ss}t' macvtap 0 1 >/dev/null 2>&1 &
    loads+=($!)
done
askers=()
for _ in 1 2 3; do
    "${flood[@]}" bash -c 'while :; do busctl --system call org.kmodd.Manager1 \
        /org/kmodd/Manager1 org.kmodd.Manager1 GetModule s xfs >/dev/null 2>&1; done' &
    askers+=($!)
done
step "nobody sent 40 Loads of macvtap (waiting for the frozen polkitd) and asks for xfs in 3 loops"

fds_most=$fds_before rss_most=$rss_before
sample() {
    local fds rss
    fds=$(descriptors) rss=$(rss_kib)
    ((fds > fds_most)) && fds_most=$fds
    ((rss > rss_most)) && rss_most=$rss
    return 0
}
# timed LABEL COMMAND...: COMMAND succeeds within $bound seconds.
timed() {
    local label=$1 started=$SECONDS
    shift
    expect 0 "$@"
    (( SECONDS - started <= bound )) || fail "$label took $((SECONDS - started)) s"
    sample
    step "root's $label: $((SECONDS - started)) s or less"
}
for round in 1 2 3; do
    sleep 1
    timed "kmodctl list ($round)" kmodctl list
    timed "kmodctl status xfs ($round)" kmodctl status xfs
    expect_output "xfs.ko.xz"
done
# The signature is inside the compressed file: libkmod read it through the checked descriptor.
signer=$(sed -n 's/^ *Signer: //p' <<<"$output")
[[ -n $signer && $signer != - ]] || fail "kmodctl status xfs shows no signer: $output"
step "xfs's signer, from the facts cache: $signer"
timed "kmodctl load dummy" kmodctl load dummy
expect_loaded dummy
timed "kmodctl unload dummy" kmodctl unload dummy
for _ in $(seq 10); do
    sample
    sleep 0.3
done
# Each waiting Load used to hold macvtap's, macvlan's and tap's files open (120 in all); the
# facts readers hold two files at most, for a moment each.
((fds_most <= fds_before + 8)) || fail "kmodd's descriptors went from $fds_before to $fds_most"
((rss_most <= rss_before + 65536)) || fail "kmodd's RSS went from $rss_before to $rss_most KiB"
step "kmodd's descriptors: $fds_before, at most $fds_most; RSS: $rss_before KiB, at most $rss_most KiB"

kill "${askers[@]}"
thaw
for pid in "${loads[@]}"; do
    if wait "$pid"; then
        fail "one of nobody's loads of macvtap succeeded"
    fi
done
expect_not_loaded macvtap macvlan tap
step "polkitd thawed: every one of nobody's loads was refused, nothing of them is loaded"

# A rules file lets nobody load veth; polkitd reads it by itself.
allow_nobody_to_load_veth
expect 0 kmodctl unload veth
step "a rules file lets nobody load veth"

kill -STOP "$polkitd"
"${nobody[@]}" kmodctl --no-ask-password load veth >/vm-results/denied-load.log 2>&1 &
waiting=$!
# The load passes the policy in force and waits for polkit.
sleep 2
write_config 'deny: [veth]'
thaw
status=0
wait "$waiting" || status=$?
((status == 3)) || fail "nobody's load exited $status, expected 3: $(cat /vm-results/denied-load.log)"
grep -q "veth is denied by the kmodd policy" /vm-results/denied-load.log ||
    fail "unexpected refusal: $(cat /vm-results/denied-load.log)"
expect_not_loaded veth
step "a deny reloaded while nobody's load waited for polkit refused it: $(cat /vm-results/denied-load.log)"

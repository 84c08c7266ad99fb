#!/bin/bash
# vm-services: dbus polkit kmodd
# What kmodd refuses, on real files and a real polkitd: each trust rule on ifb's module file,
# the allow and deny lists (root included), and an unprivileged caller, denied by the
# shipped polkit policy and then allowed by a rules file.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib/assert.sh
. "$(dirname "$0")/lib/assert.sh"

net_dir=$module_dir/kernel/drivers/net
ifb=$net_dir/ifb.ko
expect 0 kmodctl load ifb
expect 0 kmodctl unload ifb
step "ifb loads as installed"

# expect_untrusted REASON: loading ifb is refused with a message naming its file and REASON.
expect_untrusted() {
    expect_refused 1 "$1" kmodctl load ifb
    expect_output "$ifb"
    expect_not_loaded ifb
}

cp -a "$ifb" "$module_dir/ifb-real.ko"
ln -sf "$module_dir/ifb-real.ko" "$ifb"
test -f "$ifb"
expect_untrusted "symbolic link"
mv "$module_dir/ifb-real.ko" "$ifb"

chmod g+w "$ifb"
expect_untrusted writable
chmod g-w,o+w "$ifb"
expect_untrusted writable
chmod o-w "$ifb"

chown 65534 "$ifb"
expect_untrusted owned
chown 0 "$ifb"

chmod g+w "$net_dir"
expect_untrusted writable
chmod g-w "$net_dir"

mv "$net_dir" "$net_dir.real"
ln -s net.real "$net_dir"
expect_untrusted "symbolic link"
rm "$net_dir"
mv "$net_dir.real" "$net_dir"

mkdir -p "$module_dir/updates"
write_config "trusted_paths: [$module_dir/updates]"
expect_untrusted trusted
write_config '{}'

expect 0 kmodctl load ifb
expect 0 kmodctl unload ifb
step "ifb loads again once its file and directories are restored"

write_config 'allow: [dummy, veth, macvtap, vxlan, "if*"]
deny: [ifb, udp_tunnel]'
expect_refused 3 macvlan kmodctl load macvlan
expect_refused 3 ifb kmodctl load ifb
expect_refused 3 ifb kmodctl load rtnl-link-ifb
expect_refused 3 udp_tunnel kmodctl load vxlan
expect_not_loaded macvlan ifb vxlan udp_tunnel
expect 0 kmodctl load macvtap
expect_loaded macvlan tap macvtap
step "macvtap (allowed) brought its dependencies macvlan and tap (not in the allow list)"
expect 0 kmodctl unload --keep-dependencies macvtap
expect_refused 3 macvlan kmodctl unload macvlan
expect_loaded macvlan
modprobe -r macvlan tap

expect_refused 3 polkit "${nobody[@]}" kmodctl --no-ask-password load veth
expect_not_loaded veth

rules=$polkit_rules
cat >"$rules" <<'RULES'
polkit.addRule(function(action, subject) {
    if ((action.id == "org.kmodd.load-module" || action.id == "org.kmodd.unload-module") &&
        subject.user == "nobody" &&
        (action.lookup("module") == "veth" || action.lookup("module") == "ifb")) {
        return polkit.Result.YES;
    }
    return polkit.Result.NOT_HANDLED;
});
RULES
chmod 644 "$rules"
# polkitd watches its rules directories and reloads on its own.
written=$SECONDS
wait_until 20 nobody_loads_veth
expect_loaded veth
step "nobody loaded veth once a rules file allowed it ($((SECONDS - written)) s after it was written)"
expect 0 "${nobody[@]}" kmodctl --no-ask-password unload veth
expect_not_loaded veth
expect_refused 3 polkit "${nobody[@]}" kmodctl --no-ask-password load dummy
expect_refused 3 ifb "${nobody[@]}" kmodctl --no-ask-password load ifb
expect_not_loaded dummy ifb
step "the rules file let nobody through for veth only; the deny list still stopped ifb"

# Config trust, as sshd's StrictModes: a drop-in others may write, or that root does not own,
# would let its writer widen the allow list. The config in force before stays.
write_config 'allow: [dummy, veth]'
drop_in=/etc/kmodd/kmodd.yaml.d/50-nobody.yaml
mkdir -p /etc/kmodd/kmodd.yaml.d
printf 'allow: ["*"]\n' >"$drop_in"
chmod 0666 "$drop_in"
expect_refused 1 "$drop_in: not trusted: the file is writable by others (mode 0666)" \
    kmodctl --no-ask-password reload
chmod 0644 "$drop_in"
chown 65534:65534 "$drop_in"
expect_refused 1 "$drop_in: not trusted: the file is owned by uid 65534" \
    kmodctl --no-ask-password reload
expect_refused 3 ifb kmodctl load ifb
expect_not_loaded ifb
step "the old config stayed in force: ifb is still not allowed"
rm "$drop_in"
write_config '{}'

# A newline in a requested name must not start a line of its own in kmodd's log.
forged='kmodd: info: Loaded evil; requested by uid 0'
expect 2 kmodctl load "dummy
$forged"
log=/vm-results/kmodd.log
if grep -q "^$forged" "$log"; then
    fail "a requested name forged a line of $log: $(grep "^$forged" "$log")"
fi
grep -qF 'dummy\nkmodd: info: Loaded evil' "$log" || fail "the refusal is not in $log with its newline escaped"
step "a newline in a requested name was logged as \\n, forging no line"

# nf_conntrack's hashsize is 0600 in sysfs: its value is root's to read, and kmodd shows it to
# nobody without the value.
expect 0 kmodctl load nf_conntrack
hashsize=/sys/module/nf_conntrack/parameters/hashsize
[[ $(stat -c %a "$hashsize") == 600 ]] || fail "$hashsize is mode $(stat -c %a "$hashsize"), not 600"
expect 0 "${nobody[@]}" kmodctl status nf_conntrack
expect_output "hashsize (value readable by root only)"
if [[ $output == *"hashsize=$(cat "$hashsize")"* ]]; then
    fail "nobody was shown the root-only value of $hashsize: $output"
fi
expect 0 kmodctl --no-ask-password unload nf_conntrack
step "nobody saw nf_conntrack's hashsize listed without its root-only value"

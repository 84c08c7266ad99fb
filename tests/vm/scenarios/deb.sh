#!/bin/bash
# The Debian package under systemd, installed as an administrator would: dpkg -i starts kmodd
# (its postinst, written by debhelper, creates the user kmodd, enables and starts the units)
# and kmodctl, polkit and the journal work at once; dpkg -r stops kmodd and leaves only the
# conffile and the units' enabled state; installing again brings it back; purge leaves no trace
# but the system user, as Debian's packages leave theirs.
# Run with package-tree.sh's tree (/root/kmodd.deb) as the only install tree.
set -eu
# shellcheck source-path=SCRIPTDIR source=lib/assert.sh
. "$(dirname "$0")/lib/assert.sh"

deb=/root/kmodd.deb
state=$(timeout 120 systemctl is-system-running --wait || true)
[[ $state == running || $state == degraded ]] || fail "the system is $state"
expect 1 dpkg-query -W kmodd
mapfile -t contents < <(dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./|/|; s|/$||' | grep .)
for path in /usr/libexec/kmodd /usr/bin/kmodctl /etc/kmodd/kmodd.yaml \
    /lib/systemd/system/kmodd.service /lib/systemd/system/kmodd-boot.service \
    /lib/systemd/system/kmodd-load@.service /usr/share/dbus-1/system.d/org.kmodd.Manager1.conf \
    /usr/share/dbus-1/system-services/org.kmodd.Manager1.service \
    /usr/share/polkit-1/actions/org.kmodd.policy /usr/share/man/man1/kmodctl.1.gz \
    /usr/lib/sysusers.d/kmodd.conf /usr/share/doc/kmodd/copyright; do
    [[ " ${contents[*]} " == *" $path "* ]] || fail "the package lacks $path"
done
strays=$(printf '%s\n' "${contents[@]}" |
    grep -v -E '^/(usr|etc)(/|$)|^/lib(/systemd(/system(/.*)?)?)?$' || true)
[[ -z $strays ]] || fail "the package installs outside /usr, /etc and /lib/systemd/system: $strays"
tests=$(printf '%s\n' "${contents[@]}" | grep -i -E 'test|fake' || true)
[[ -z $tests ]] || fail "the package contains test files: $tests"
depends=$(dpkg-deb -f "$deb" Depends)
# Debian's shared libraries, not copies compiled in: their security updates reach kmodd
# (libspdlog1.10 provides libspdlog1.10-fmt9, the name its shlibs give).
for library in libyaml-cpp0.7 libspdlog1.10-fmt9 libfmt9 libkmod2 libsystemd0 libsdbus-c++1; do
    [[ ", $depends," == *", $library,"* || ", $depends," == *", $library ("* ]] ||
        fail "the package does not depend on $library: $depends"
done
step "$deb holds ${#contents[@]} paths, none of them tests; dependencies: $depends"

# This machine's root, the guest's, may hold kmodd files installed by hand (cmake --install):
# the guest starts as a system that never had kmodd, or dpkg would take them over silently.
for path in "${contents[@]}"; do
    if [[ (-e $path || -L $path) && ! -d $path ]]; then
        step "removing $path, installed on this machine outside dpkg"
        rm -f "$path"
    fi
done

# Everything the package or its maintainer scripts may create: its own paths, all of /etc
# (conffiles, enable and mask links), deb-systemd-helper's state and dpkg's records.
snapshot() {
    local path
    for path in "${contents[@]}"; do
        if [[ -e $path || -L $path ]]; then echo "$path"; fi
    done
    find /etc /var/lib/dpkg/info -name '*kmodd*'
    find /var/lib/systemd -path '/var/lib/systemd/deb-systemd-helper-*'
}
before=$(snapshot | sort -u)
# This machine's root may come from a container image whose policy-rc.d (exit 101) forbids
# maintainer scripts to start services; an installed system has none. man-db's trigger would
# re-index every manual page over 9p under TCG: minutes per dpkg run.
rm -f /usr/sbin/policy-rc.d /var/lib/man-db/auto-update

expect 0 dpkg -i "$deb"
step "dpkg -i $deb: $(tr '\n' ' ' <<<"$output")"
expect 0 systemctl is-active kmodd.service kmodd-boot.service
expect 0 systemctl is-enabled kmodd-boot.service
wait_until 10 kmodd_on_bus
expect 0 pkaction --action-id org.kmodd.load-module
user=$(ps -o user= -p "$(systemctl show -P MainPID kmodd.service)")
[[ $user == kmodd ]] || fail "kmodd.service runs as '$user', not as the user kmodd"
step "postinst created the user kmodd, started kmodd.service (as kmodd) and kmodd-boot.service;" \
    "polkit knows org.kmodd.load-module"

expect 0 kmodctl load dummy numdummies=3
expect_links dummy 3
# MESSAGE_ID of a load that inserted its module (daemon/request/MessageIds.h).
expect 0 journalctl -b --no-pager -o verbose -u kmodd.service KMODD_MODULE=dummy \
    MESSAGE_ID=f565bd0c0e414d959d73aa7a1f471aea
expect_output KMODD_RESULT=ok
expect_refused 3 polkit "${nobody[@]}" kmodctl --no-ask-password unload dummy
expect 0 kmodctl unload dummy
expect_not_loaded dummy
step "the installed kmodctl loaded and unloaded dummy, the journal has the record," \
    "polkit refused the user nobody"

expect 0 dpkg -r kmodd
expect 3 systemctl is-active kmodd.service
wait_until 10 kmodd_off_bus
expect 1 command -v kmodctl
# shellcheck disable=SC2016 # a dpkg-query format, not a shell expression
expect 0 dpkg-query -W -f='${db:Status-Abbrev}' kmodd
[[ $output == 'rc ' ]] || fail "after dpkg -r, kmodd's status is '$output', expected 'rc '"
left=$(comm -13 <(echo "$before") <(snapshot | sort -u))
kept='/etc/kmodd|/etc/kmodd/kmodd\.yaml|/etc/systemd/system/(multi-user\.target\.wants/)?kmodd'
kept+='(-boot)?\.service|/var/lib/systemd/deb-systemd-helper-(enabled|masked)(/.*)?'
kept+='|/var/lib/dpkg/info/kmodd\..*'
unexpected=$(grep -v -E "^($kept)$" <<<"$left" || true)
[[ -z $unexpected ]] || fail "dpkg -r left more than the conffile and the units' state: $unexpected"
[[ -f /etc/kmodd/kmodd.yaml ]] || fail "dpkg -r removed the conffile /etc/kmodd/kmodd.yaml"
step "dpkg -r stopped kmodd and removed its files; left until purge:" "$(tr '\n' ' ' <<<"$left")"

expect 0 dpkg -i "$deb"
expect 0 systemctl is-active kmodd.service
expect 0 kmodctl list
step "dpkg -i again: kmodd.service unmasked and running"

expect 0 dpkg --purge kmodd
wait_until 10 kmodd_off_bus
expect 1 dpkg-query -W kmodd
after=$(snapshot | sort -u)
[[ $after == "$before" ]] ||
    fail "dpkg --purge left files behind: $(diff <(echo "$before") <(echo "$after") || true)"
# As Debian's packages do, the system user stays: files may still belong to it.
expect 0 getent passwd kmodd
step "dpkg --purge stopped kmodd and left the system as it was before dpkg -i, but for the" \
    "user kmodd: $output"

#!/bin/bash
# vm-services: dbus polkit kmodd
# The README's demo: kmodctl driving kmodd on a real kernel, each command shown with what it
# printed. Fails if a command does not end the way the demo says it does.
set -eu

# show STATUS COMMAND...: prints the command and its output; fails unless it exits STATUS.
show() {
    local want=$1 status=0
    shift
    printf '\n$ %s\n' "$*"
    "$@" 2>&1 || status=$?
    if [[ $status -ne 0 ]]; then
        echo "(exit status $status)"
    fi
    if [[ $status -ne $want ]]; then
        echo "demo: expected exit status $want" >&2
        exit 1
    fi
}

echo "kmodd demo on Linux $(uname -r), under QEMU"
show 0 kmodctl --verbose load dummy numdummies=3
show 0 ip -br link
show 0 kmodctl list
show 0 kmodctl status dummy
show 0 kmodctl --verbose unload dummy
show 0 ip -br link
mkdir -p /etc/kmodd
printf 'deny: [floppy]\n' >/etc/kmodd/kmodd.yaml
show 0 cat /etc/kmodd/kmodd.yaml
show 0 kmodctl --verbose reload
show 3 kmodctl load floppy
show 1 kmodctl load dummy numdummies=abc
show 3 setpriv --reuid=65534 --regid=65534 --clear-groups kmodctl --no-ask-password load dummy

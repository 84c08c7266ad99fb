#!/bin/bash
# PID 1 of the plain boot mode: starts by hand the services that the scenario names on its
# "# vm-services:" line (dbus, polkit, kmodd; in that order), then runs the scenario.
set -euo pipefail
# shellcheck source=/dev/null # written by run-vm.sh
. /vm-results/run.conf

wait_for_bus_name() {
    local deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        if busctl --system call org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus NameHasOwner s "$1" 2>/dev/null | grep -qx 'b true'; then
            return 0
        fi
        sleep 0.1
    done
    echo "kmodd-vm: $1 did not appear on the system bus within 30 s" >&2
    return 1
}

services=$(sed -n 's/^# vm-services://p' "$SCENARIO")
for service in dbus polkit kmodd; do
    [[ " $services " == *" $service "* ]] || continue
    log=/vm-results/$service.log
    case $service in
    dbus)
        mkdir -p /run/dbus
        dbus-daemon --system --nofork --nopidfile >"$log" 2>&1 &
        wait_for_bus_name org.freedesktop.DBus
        ;;
    polkit)
        /usr/lib/polkit-1/polkitd --no-debug >"$log" 2>&1 &
        wait_for_bus_name org.freedesktop.PolicyKit1
        ;;
    kmodd)
        /usr/libexec/kmodd >"$log" 2>&1 &
        wait_for_bus_name org.kmodd.Manager1
        ;;
    esac
    echo "kmodd-vm: started $service"
done

exec "$VM_DIR/guest/run-scenario.sh"

#!/usr/bin/env bash
# Instructions of a kmodctl start beside modprobe's (BENCHMARKS.md, "kmodctl's start-up"),
# counted natively by callgrind from the first instruction (ld.so and static initialisers
# included), with ld.so's relocation counts (LD_DEBUG=statistics) and the shared objects:
#   kmodctl --version           modprobe --version
#   kmodctl load dummy          modprobe -n dummy (dummy already loaded, against kmodd on a
#                               private bus with the fake kernel; kmodctl through the bus, and
#                               on kmodd's root socket)
# Usage: bench/client-starts.sh KMODCTL KMODD_TEST_DAEMON MODULE_ROOT
#   MODULE_ROOT holds lib/modules/RELEASE (e.g. the vm cache's Debian kernel tree); it must be
#   owned by root and not writable by others, as kmodd's trusted paths are. Run as root.
set -euo pipefail

kmodctl=$1 daemon=$2 root=$3
release=$(ls "$root/lib/modules" | head -n 1)
module_directory=$root/lib/modules/$release
scratch=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait; rm -rf "$scratch"' EXIT

cat >"$scratch/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path=$scratch/bus</listen>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow send_type="signal"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
</busconfig>
EOF
cat >"$scratch/kmodd.yaml" <<EOF
trusted_paths: [$root/lib/modules]
EOF
chmod 600 "$scratch/kmodd.yaml"
dbus-daemon --nofork --nosyslog --config-file="$scratch/bus.conf" 2>/dev/null &
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$scratch/bus
until [[ -S $scratch/bus ]]; do sleep 0.05; done
KMODD_FAKE_PRELOADED=dummy "$daemon" --module-directory "$module_directory" \
    --config "$scratch/kmodd.yaml" --root-socket "$scratch/private" --log-level error &
daemon_pid=$!
until busctl --system status org.kmodd.Manager1 >/dev/null 2>&1; do
    kill -0 "$daemon_pid" 2>/dev/null || { echo "client-starts.sh: kmodd did not start" >&2; exit 1; }
    sleep 0.1
done

# instructions PROGRAM ARGUMENTS...: the instructions callgrind counted, the whole process.
# A command that fails is no figure: its status is shown instead.
instructions() {
    local status=0
    valgrind --tool=callgrind --callgrind-out-file="$scratch/callgrind.out" "$@" \
        >/dev/null 2>"$scratch/valgrind.log" || status=$?
    if ((status != 0)); then
        echo "failed with status $status"
    else
        sed -n 's/^==[0-9]*== Collected : //p' "$scratch/valgrind.log"
    fi
}

# relocations PROGRAM ARGUMENTS...: ld.so's symbol relocations at start, those at exit (lazy
# bindings added) and its relative relocations.
relocations() {
    LD_DEBUG=statistics "$@" 2>&1 >/dev/null | awk -F': *' '
        /final number of relocations:/ { final = $NF }
        /\t *number of relocations:/ { start = $NF }
        /relative relocations:/ { relative = $NF }
        END { printf "%s / %s | %s", start, final, relative }'
}

objects() { ldd "$1" | grep -c '=>'; }

printf '| command | instructions | symbol relocations at start / at exit | relative relocations | shared objects |\n| --- | ---: | ---: | ---: | ---: |\n'
row() {
    local label=$1 binary=$2
    shift 2
    printf '| `%s` | %s | %s | %s |\n' "$label" "$(instructions "$binary" "$@")" \
        "$(relocations "$binary" "$@")" "$(objects "$binary")"
}
row "kmodctl --version" "$kmodctl" --version
row "modprobe --version" "$(command -v modprobe)" --version
export KMODD_ROOT_SOCKET=$scratch/no-socket
row "kmodctl load dummy (loaded), through the bus" "$kmodctl" --no-ask-password load dummy
export KMODD_ROOT_SOCKET=$scratch/private
row "kmodctl load dummy (loaded), root's socket" "$kmodctl" --no-ask-password load dummy
row "modprobe -n dummy" "$(command -v modprobe)" -n -d "$root" -S "$release" dummy

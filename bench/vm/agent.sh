#!/bin/bash
# The real-kernel agent benchmark (BENCHMARKS.md, "The agent path"), run in the guest's systemd
# mode by bench/run-vm.sh: kmodd as installed (kmodd.service, the user kmodd), polkitd and
# systemd as on a desktop. Writes raw timings to the results share; the host turns them into
# tables (bench/vm/report.py).
#
# agent.txt, one line per cycle: METHOD MODULE LOAD_US UNLOAD_US
#   agent          Load(X) + Unload(X) to kmodd on one bus connection held for the whole run
#                  (kmodd-bench-agent), as root: what a management agent pays per cycle
#   agent-socket   the same on one direct connection to kmodd's root socket
#                  (kmodd-bench-agent --root-socket), as root's kmodctl talks to kmodd
#   floor          open + finit_module of X's files with their modprobe.d options,
#                  delete_module(O_NONBLOCK) of them in reverse (kmodd-bench-syscalls,
#                  in-process): the kernel's work alone
#   pkexec         pkexec modprobe X; pkexec modprobe -r X, as root: what applications ship
#   modprobe       modprobe X; modprobe -r X, for reference
#   modprobe-unit  StartUnit("modprobe@X.service") on one connection until its job is done
#                  (kmodd-bench-modprobe-unit); the unload half is delete_module, as the floor's
# Rounds alternate the methods; each cycle leaves the kernel's module list as it found it.
# vxlan brings its dependencies (udp_tunnel, ip6_udp_tunnel): every method inserts and
# removes all three, kmodd's Unload and modprobe -r the dependencies they inserted.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../../tests/vm/scenarios/lib/assert.sh
. "$(dirname "$0")/../../tests/vm/scenarios/lib/assert.sh"
# shellcheck source=/dev/null # written by bench/run-vm.sh into its install tree
. /usr/libexec/kmodd-bench/settings # CYCLES
bench=/usr/libexec/kmodd-bench
results=/vm-results
modules=(dummy vxlan)
methods=(agent agent-socket floor pkexec modprobe modprobe-unit)

state=$(timeout 300 systemctl is-system-running --wait || true)
[[ $state == running || $state == degraded ]] || fail "the system is $state"
systemctl start polkit.service
kmodd_on_bus || fail "kmodd is not on the bus"

elapsed_us() {
    local now=${EPOCHREALTIME/./}
    echo $((now - ${1/./}))
}

module_list() { cut -d' ' -f1 /proc/modules | sort | xargs; }

# Lets kmodd and udev finish with the uevents of the last change before the next timed step.
settle() { sleep 0.2; }

# The files X's load inserts, dependencies first, leaving out what is loaded already; each
# with the options modprobe.d gives it, as the floor's --params (systemd ships
# "options dummy numdummies=0": without it the floor would create a device the others do not).
floor_arguments() {
    local file options name
    while read -r _ file options; do
        name=$(basename "$file" .ko)
        is_loaded "${name//-/_}" && continue
        echo "$file"
        [[ -z $options ]] || echo "--params=$options"
    done < <(modprobe --show-depends "$1")
}

# The module names X's load inserts, in the order to remove them.
names_to_remove() {
    local file name
    for file in $(floor_arguments "$1" | grep -v '^--params=' | tac); do
        name=$(basename "$file" .ko)
        echo "${name//-/_}"
    done
}

# start_client METHOD COMMAND...: runs COMMAND with its stdin and stdout on FIFOs, so that the
# cycles can drive it one line at a time; ${to_client[METHOD]} and ${from_client[METHOD]} are
# the ends. (bash keeps one coproc at a time.)
declare -A to_client from_client
start_client() {
    local method=$1 fifo=/run/kmodd-bench-$1 to from
    shift
    rm -f "$fifo.in" "$fifo.out"
    mkfifo "$fifo.in" "$fifo.out"
    # Read-write opens of a FIFO do not wait for the other end.
    exec {to}<>"$fifo.in" {from}<>"$fifo.out"
    to_client[$method]=$to from_client[$method]=$from
    (
        # The client holds no end of any FIFO but its own stdin and stdout, so that closing
        # ours is its end of input.
        for fd in "${to_client[@]}" "${from_client[@]}"; do
            exec {fd}>&-
        done
        exec "$@" <"$fifo.in" >"$fifo.out"
    ) &
}

stop_clients() {
    local method to from
    for method in "${!to_client[@]}"; do
        to=${to_client[$method]} from=${from_client[$method]}
        exec {to}>&- {from}<&-
    done
    wait
}

# cycle METHOD MODULE: one load and unload cycle of MODULE by METHOD, appended to agent.txt.
cycle() {
    local method=$1 module=$2 start loaded unloaded
    case $method in
    agent | agent-socket | modprobe-unit)
        echo >&"${to_client[$method]}"
        read -r -t 120 loaded unloaded <&"${from_client[$method]}" ||
            fail "$method's client of $module did not answer"
        loaded=$((loaded / 1000)) unloaded=$((unloaded / 1000))
        ;;
    floor)
        local arguments
        mapfile -t arguments < <(floor_arguments "$module")
        read -r loaded unloaded < <("$bench/kmodd-bench-syscalls" 1 "${arguments[@]}")
        loaded=$((loaded / 1000)) unloaded=$((unloaded / 1000))
        ;;
    pkexec | modprobe)
        local prefix=()
        [[ $method == modprobe ]] || prefix=(pkexec)
        start=$EPOCHREALTIME
        "${prefix[@]}" modprobe "$module"
        loaded=$(elapsed_us "$start")
        start=$EPOCHREALTIME
        "${prefix[@]}" modprobe -r "$module"
        unloaded=$(elapsed_us "$start")
        ;;
    esac
    [[ $(module_list) == "$baseline" ]] ||
        fail "$method left the modules changed: $(diff <(echo "$baseline" | tr ' ' '\n') \
            <(module_list | tr ' ' '\n') | xargs)"
    if $recording; then
        echo "$method $module $loaded $unloaded" >>"$results/agent.txt"
    fi
    settle
}

: >"$results/agent.txt"
for module in "${modules[@]}"; do
    baseline=$(module_list)
    # shellcheck disable=SC2046 # one argument per module name
    start_client modprobe-unit "$bench/kmodd-bench-modprobe-unit" "$module" \
        $(names_to_remove "$module")
    start_client agent "$bench/kmodd-bench-agent" "$module"
    start_client agent-socket "$bench/kmodd-bench-agent" "$module" --root-socket
    # One round unrecorded: the files come over 9p once, then from the page cache.
    recording=false
    for method in "${methods[@]}"; do
        cycle "$method" "$module"
    done
    recording=true
    for ((round = 0; round < CYCLES; ++round)); do
        for method in "${methods[@]}"; do
            cycle "$method" "$module"
        done
    done
    stop_clients
    step "$CYCLES cycles of $module by ${methods[*]}"
done

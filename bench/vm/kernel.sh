#!/bin/bash
# vm-services: dbus kmodd
# The real-kernel benchmarks (BENCHMARKS.md, "Real kernel (QEMU guest)"), run in the guest by
# bench/run-vm.sh. Writes raw timings to the results share; the host turns them into tables.
#
# cycles.txt, one line per cycle: METHOD MODULE LOAD_US UNLOAD_US
#   kmodctl   kmodctl load X; kmodctl unload X
#   modprobe  modprobe X; modprobe -r X
#   floor     open + finit_module, delete_module(O_NONBLOCK) (kmodd-bench-syscalls, in-process)
#   exec      /bin/true twice: what starting two programs costs in this guest
#   kmodctl-start, modprobe-start  `kmodctl --version`, `modprobe --version` twice: starting
#             each program (its shared objects) without doing anything
# Rounds alternate the methods. bridge's dependencies (stp, llc) are held by garp for the whole
# run, so that every method inserts and removes bridge alone and modprobe -r leaves them be:
# each cycle leaves the kernel as it found it.
#
# boot.txt, one line per run: METHOD MICROSECONDS, the same 20 modules each time, all of them
# unloaded again between runs
#   kmodctl-boot  kmodctl boot with kmodd running (kmodd-boot.service's command)
#   cold-boot     kmodctl boot with kmodd stopped: D-Bus activation starts kmodd first
#   modules-load  systemd-modules-load FILE, the list in /run/modules-load.d/kmodd-bench.conf,
#                 with kmodd running (it sees the uevents and publishes the new modules)
#   modules-load-alone  the same with kmodd stopped, as in early boot before D-Bus is up
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../../tests/vm/scenarios/lib/assert.sh
. "$(dirname "$0")/../../tests/vm/scenarios/lib/assert.sh"
# shellcheck source=/dev/null # written by bench/run-vm.sh into its install tree
. /usr/libexec/kmodd-bench/settings # CYCLES, BOOT_RUNS, BOOT_MODULES, ASLR
floor=/usr/libexec/kmodd-bench/kmodd-bench-syscalls
# The plain mode's /dev has no /dev/fd, which bash's <(...) needs.
[[ -e /dev/fd ]] || ln -s /proc/self/fd /dev/fd
results=/vm-results
# Under TCG, a program mapped at new addresses seems to run through freshly translated code:
# with ASLR off, every start is cheaper, closer to what starting a program costs on a CPU.
if [[ $ASLR == off ]]; then
    echo 0 >/proc/sys/kernel/randomize_va_space
fi

# Microseconds from an $EPOCHREALTIME to now.
elapsed_us() {
    local now=${EPOCHREALTIME/./}
    echo $((now - ${1/./}))
}

# The kernel's modules, sorted.
loaded_modules() { cut -d' ' -f1 /proc/modules | sort; }

# The kernel's modules in /proc/modules order, without starting a program: cycles check it.
module_list() {
    local name rest list=""
    while read -r name rest; do
        list+="$name "
    done </proc/modules
    echo "$list"
}

# Unloads every module not in $baseline, holders before what they hold.
unload_new_modules() {
    local pass name new
    for pass in 1 2 3 4 5 6; do
        new=$(comm -13 "$baseline" <(loaded_modules))
        [[ -n $new ]] || return 0
        for name in $new; do
            rmmod "$name" 2>/dev/null || true
        done
    done
    fail "could not unload $(comm -13 "$baseline" <(loaded_modules) | xargs) after $pass passes"
}

kmodd_pid() {
    busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
        GetConnectionUnixProcessID s org.kmodd.Manager1 | cut -d' ' -f2
}

stop_kmodd() {
    local pid
    kmodd_on_bus || return 0
    pid=$(kmodd_pid)
    kill "$pid"
    while kill -0 "$pid" 2>/dev/null; do
        sleep 0.05
    done
}

# Lets kmodd finish reading the uevents of the last change before the next timed step.
settle() { sleep 0.2; }

# cycle METHOD MODULE: one load and unload cycle of MODULE by METHOD, appended to cycles.txt.
cycle() {
    local method=$1 module=$2 start loaded unloaded
    case $method in
    kmodctl)
        start=$EPOCHREALTIME
        kmodctl load "$module" >/dev/null
        loaded=$(elapsed_us "$start")
        start=$EPOCHREALTIME
        kmodctl unload "$module" >/dev/null
        unloaded=$(elapsed_us "$start")
        ;;
    modprobe)
        start=$EPOCHREALTIME
        modprobe "$module"
        loaded=$(elapsed_us "$start")
        start=$EPOCHREALTIME
        modprobe -r "$module"
        unloaded=$(elapsed_us "$start")
        ;;
    floor)
        read -r loaded unloaded < <("$floor" 1 "$(modinfo -n "$module")")
        loaded=$((loaded / 1000)) unloaded=$((unloaded / 1000))
        ;;
    exec | kmodctl-start | modprobe-start)
        local program=(/bin/true)
        [[ $method == exec ]] || program=("${method%-start}" --version)
        start=$EPOCHREALTIME
        "${program[@]}" >/dev/null
        loaded=$(elapsed_us "$start")
        start=$EPOCHREALTIME
        "${program[@]}" >/dev/null
        unloaded=$(elapsed_us "$start")
        ;;
    esac
    [[ $(module_list) == "$cycle_baseline" ]] ||
        fail "$method left the modules changed: $(diff "$baseline" <(loaded_modules) | xargs)"
    if $recording; then
        echo "$method $module $loaded $unloaded" >>"$results/cycles.txt"
    fi
    settle
}

# boot_run METHOD: loads the boot list by METHOD, appended to boot.txt, then unloads it.
boot_run() {
    local method=$1 start took
    case $method in
    kmodctl-boot)
        start=$EPOCHREALTIME
        kmodctl --no-ask-password boot >/dev/null
        took=$(elapsed_us "$start")
        ;;
    cold-boot)
        stop_kmodd
        start=$EPOCHREALTIME
        kmodctl --no-ask-password boot >/dev/null
        took=$(elapsed_us "$start")
        ;;
    modules-load)
        start=$EPOCHREALTIME
        /lib/systemd/systemd-modules-load /run/modules-load.d/kmodd-bench.conf
        took=$(elapsed_us "$start")
        ;;
    modules-load-alone)
        stop_kmodd
        start=$EPOCHREALTIME
        /lib/systemd/systemd-modules-load /run/modules-load.d/kmodd-bench.conf
        took=$(elapsed_us "$start")
        ;;
    esac
    local module
    for module in "${BOOT_MODULES[@]}"; do
        is_loaded "${module//-/_}" || fail "$method did not load $module"
    done
    if $recording; then
        echo "$method $took" >>"$results/boot.txt"
    fi
    settle
    unload_new_modules
    settle
}

: >"$results/cycles.txt"
: >"$results/boot.txt"
# garp holds stp and llc for bridge's cycles (see above).
modprobe garp
baseline=$(mktemp)
loaded_modules >"$baseline"
cycle_baseline=$(module_list)
methods=(kmodctl modprobe floor exec kmodctl-start modprobe-start)
# CYCLES=0: the boot list alone (bench/run-vm.sh's runs with more vCPUs).
if ((CYCLES > 0)); then
for module in dummy bridge; do
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
    step "$CYCLES cycles of $module by ${methods[*]}"
done
fi
modprobe -r garp

loaded_modules >"$baseline"
mkdir -p /run/modules-load.d /etc/kmodd
printf '%s\n' "${BOOT_MODULES[@]}" >/run/modules-load.d/kmodd-bench.conf
printf 'boot: [%s]\n' "$(IFS=,; echo "${BOOT_MODULES[*]}")" >/etc/kmodd/kmodd.yaml
kmodctl --no-ask-password reload >/dev/null
recording=false
boot_run modules-load # unrecorded, as above
recording=true
for ((run = 0; run < BOOT_RUNS; ++run)); do
    # cold-boot follows modules-load-alone: kmodd is stopped already, and activated again.
    for method in kmodctl-boot modules-load modules-load-alone cold-boot; do
        boot_run "$method"
    done
done
step "$BOOT_RUNS runs of the ${#BOOT_MODULES[@]}-module boot list by kmodctl boot (warm and cold) and systemd-modules-load (with kmodd running and alone)"

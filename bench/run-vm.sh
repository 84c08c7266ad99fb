#!/usr/bin/env bash
# The real-kernel benchmarks (BENCHMARKS.md, "Real kernel (QEMU guest)"): builds the install
# tree as the vm ctest fixture does (tests/vm/install-tree.sh), adds kmodd-bench-syscalls and
# the run's settings in a second tree, runs bench/vm/kernel.sh in the guest (plain mode) and
# bench/vm/agent.sh (systemd mode) and prints Markdown tables on stdout; the guest's progress
# goes to stderr. Needs what the vm tests need (tests/vm/README.md), root among it, and pkexec.
# Environment: SUITES (default "kernel agent": which of the two to run), BUILD_DIR (default
# build/bench-vm), CYCLES (per method and module, default 20),
# BOOT_RUNS (per method, default 5), ASLR (on, or off: the guest's randomize_va_space set to 0,
# see BENCHMARKS.md), BOOT_CPUS (see the boot list's section at the end), and run-vm.sh's
# KMODD_VM_* (KMODD_VM_TIMEOUT default 900; KMODD_VM_CPUS, default 1, for the first run).
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${BUILD_DIR:-build/bench-vm}
suites=${SUITES:-kernel agent}
cycles=${CYCLES:-20}
boot_runs=${BOOT_RUNS:-5}
aslr=${ASLR:-on}
[[ $aslr == on || $aslr == off ]] || { echo "run-vm.sh: ASLR is on or off, not $aslr" >&2; exit 2; }
# Real modules of the guest's kernel that load without hardware; 8 of them pull in others.
boot_modules=(dummy ifb veth vxlan macvlan macvtap bridge bonding team nlmon vcan can-raw tun
    ipvlan geneve sit ip_gre ipip 8021q tcp_bbr)

tests/vm/install-tree.sh . "$build_dir" "$build_dir/destdir" >/dev/null
bench_tree=$build_dir/bench-tree
rm -rf "$bench_tree"
mkdir -p "$bench_tree/usr/libexec/kmodd-bench"
cp "$build_dir/bench/kmodd-bench-syscalls" "$build_dir/bench/kmodd-bench-agent" \
    "$build_dir/bench/kmodd-bench-modprobe-unit" "$bench_tree/usr/libexec/kmodd-bench/"
{
    printf 'CYCLES=%d\n' "$cycles"
    printf 'BOOT_RUNS=%d\n' "$boot_runs"
    printf 'ASLR=%s\n' "$aslr"
    printf 'BOOT_MODULES=(%s)\n' "${boot_modules[*]}"
} >"$bench_tree/usr/libexec/kmodd-bench/settings"

# The agent path (SUITES has agent): a client holding one bus connection against the floor,
# pkexec modprobe and StartUnit(modprobe@X), in the systemd mode (kmodd.service and polkit as
# installed); its tables after the kernel suite's.
agent_suite() {
    command -v pkexec >/dev/null ||
        { echo "run-vm.sh: pkexec is missing (apt-get install pkexec)" >&2; exit 1; }
    local started load_before results
    started=$(date -u '+%Y-%m-%d %H:%M UTC')
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    KMODD_VM_TIMEOUT=${KMODD_VM_TIMEOUT:-900} \
        tests/vm/run-vm.sh systemd bench/vm/agent.sh "$build_dir/destdir" "$bench_tree" >&2
    results=${KMODD_VM_CACHE:-build/vm-cache}/results/agent-systemd

    echo
    echo "## The agent path (QEMU guest, systemd mode): $started"
    echo
    echo "Guest: Linux $(sed -n 's/^RELEASE=//p' "$results/run.conf"), QEMU TCG," \
         "${KMODD_VM_CPUS:-1} vCPU, ASLR on; host: $(nproc) cores, load average" \
         "$load_before before the run, $(cut -d' ' -f1-3 /proc/loadavg) after."
    echo
    python3 bench/vm/agent-report.py "$results"
}
[[ " $suites " == *" kernel "* ]] || { agent_suite; exit 0; }

started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
KMODD_VM_TIMEOUT=${KMODD_VM_TIMEOUT:-900} \
    tests/vm/run-vm.sh plain bench/vm/kernel.sh "$build_dir/destdir" "$bench_tree" >&2
results=${KMODD_VM_CACHE:-build/vm-cache}/results/kernel-plain

echo "## Real kernel (QEMU guest): $started"
echo
echo "Guest: Linux $(sed -n 's/^RELEASE=//p' "$results/run.conf"), QEMU TCG," \
     "${KMODD_VM_CPUS:-1} vCPU, ASLR $aslr;" \
     "host: $(nproc) cores, load average $load_before before the run," \
     "$(cut -d' ' -f1-3 /proc/loadavg) after."
echo
python3 bench/vm/report.py "$results"
[[ " $suites " != *" agent "* ]] || agent_suite

# --- The boot list with more vCPUs -------------------------------------------------------------
# kmodd loads the boot list's independent modules concurrently, one worker per CPU (at most 4):
# one more guest run for each count in BOOT_CPUS (default "2"; "" for none) measures the boot
# list alone, kmodctl boot beside systemd-modules-load, on that many vCPUs. Each run's raw
# files are kept in <results>-<N>vcpu, the first run's in <results>-${KMODD_VM_CPUS:-1}vcpu.
rm -rf "$results-${KMODD_VM_CPUS:-1}vcpu"
cp -r "$results" "$results-${KMODD_VM_CPUS:-1}vcpu"
for cpus in ${BOOT_CPUS-2}; do
    sed -i 's/^CYCLES=.*/CYCLES=0/' "$bench_tree/usr/libexec/kmodd-bench/settings"
    started=$(date -u '+%Y-%m-%d %H:%M UTC')
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    KMODD_VM_CPUS=$cpus KMODD_VM_TIMEOUT=${KMODD_VM_TIMEOUT:-900} \
        tests/vm/run-vm.sh plain bench/vm/kernel.sh "$build_dir/destdir" "$bench_tree" >&2
    rm -rf "$results-${cpus}vcpu"
    cp -r "$results" "$results-${cpus}vcpu"
    echo
    echo "### The boot list with $cpus vCPUs: $started"
    echo
    echo "Guest: QEMU TCG, $cpus vCPUs, ASLR $aslr; host: $(nproc) cores, load average" \
         "$load_before before the run, $(cut -d' ' -f1-3 /proc/loadavg) after."
    python3 bench/vm/report.py "$results"
done

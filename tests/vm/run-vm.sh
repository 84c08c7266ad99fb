#!/bin/bash
# Boots a Debian kernel under QEMU (TCG) with this machine's root, read-only over 9p under
# a tmpfs overlay, and runs one scenario in it:
#
#   run-vm.sh MODE SCENARIO [DESTDIR...]
#     MODE      plain: services started by hand; systemd: systemd as PID 1
#     SCENARIO  a bash script, run as root in the guest
#     DESTDIR   an install tree (cmake --install --prefix /usr, with DESTDIR) copied over
#               the guest's root before anything starts; several are copied in order
#
# Exits with the scenario's status. The run's files (scenario.log, console.log, status, ...)
# are left in <cache>/results/<scenario>-<mode>[-<suite>], the only host directory the guest can
# write. Environment: KMODD_VM_CACHE, KMODD_VM_KERNEL (the kernel's Debian suite, default this
# machine's: see vm-cache.sh), KMODD_VM_TIMEOUT (s, default 300), KMODD_VM_CPUS (1),
# KMODD_VM_MEMORY (MiB, 1024).
set -euo pipefail

usage() {
    echo "usage: run-vm.sh plain|systemd SCENARIO [DESTDIR...]" >&2
    exit 2
}
fail() {
    echo "run-vm: $*" >&2
    exit 1
}
[[ $# -ge 2 ]] || usage
mode=$1
[[ $mode == plain || $mode == systemd ]] || usage
scenario=$(realpath -e "$2")
[[ -f $scenario ]] || fail "the scenario $scenario is not a file"
destdirs=()
for destdir in "${@:3}"; do
    destdirs+=("$(realpath -e "$destdir")")
    [[ -d ${destdirs[-1]} ]] || fail "the install tree $destdir is not a directory"
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=vm-cache.sh
. "$here/vm-cache.sh"
export KMODD_VM_CACHE=$cache
# The guest gets its own /run, /proc, /sys and /dev: host paths there are out of its sight.
for path in "$scenario" "${destdirs[@]}" "$cache" "$here"; do
    if [[ $path =~ ^/(run|proc|sys|dev)(/|$) ]]; then
        fail "$path is not visible in the guest"
    fi
done
if ! command -v qemu-system-x86_64 >/dev/null; then
    fail "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"
fi

mkdir -p "$cache"
{
    # Concurrent runs share the cache: one of them fetches and builds at a time.
    flock 9
    release=$("$here/fetch-kernel.sh")
    initramfs=$("$here/make-initramfs.sh")
} 9>"$cache/lock"

name=$(basename "$scenario" .sh)
results=$cache/results/$name-$mode${kernel_suite:+-$kernel_suite}
rm -rf "$results"
mkdir -p "$results"
{
    printf 'MODE=%q\n' "$mode"
    printf 'SCENARIO=%q\n' "$scenario"
    printf 'RELEASE=%q\n' "$release"
    # The directory itself: Debian 13's tree reaches it through the unpacked root's lib symlink.
    printf 'MODULES_DIR=%q\n' "$(realpath -e "$kernel_dir/root/lib/modules/$release")"
    printf 'VM_DIR=%q\n' "$here"
} >"$results/run.conf"
# One a line: run.conf is also read by the initramfs's busybox sh, which has no arrays.
printf '%s\n' "${destdirs[@]}" >"$results/install-trees"

timeout_s=${KMODD_VM_TIMEOUT:-300}
started=$(date +%s.%N)
status=0
timeout -k 10 "$timeout_s" qemu-system-x86_64 -accel tcg -nodefaults -no-user-config \
    -m "${KMODD_VM_MEMORY:-1024}" -smp "${KMODD_VM_CPUS:-1}" -display none -no-reboot \
    -kernel "$kernel_dir/vmlinux" -initrd "$initramfs" \
    -append "console=ttyS0 panic=-1 loglevel=4" \
    -serial "file:${results//,/,,}/console.log" -device virtio-rng-pci \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=${results//,/,,},mount_tag=results,security_model=none" \
    </dev/null >"$results/qemu.log" 2>&1 || status=$?
ended=$(date +%s.%N)

show_tail() {
    if [[ -s $1 ]]; then
        echo "--- last lines of $1 ---" >&2
        tail -n 40 "$1" >&2
    fi
}
if [[ $status -eq 124 || $status -eq 137 ]]; then
    show_tail "$results/console.log"
    show_tail "$results/scenario.log"
    fail "$name ($mode): the guest did not power off within $timeout_s s"
fi
if [[ ! -s $results/status ]]; then
    show_tail "$results/qemu.log"
    show_tail "$results/console.log"
    fail "$name ($mode): the guest stopped without reporting the scenario's status (qemu exited $status)"
fi

cat "$results/scenario.log"
# The guest's clock is unreliable under TCG: time the run by the host's clock, using the
# times the host gave the files the guest wrote.
seconds_to() { awk -v from="$started" -v to="$1" 'BEGIN { printf "%.0f", to - from }'; }
written_at() { stat -c %.3Y "$1"; }
scenario_status=$(<"$results/status")
echo "run-vm: $name ($mode) exited $scenario_status; booted to the scenario in" \
    "$(seconds_to "$(written_at "$results/scenario-started")") s, scenario done at" \
    "$(seconds_to "$(written_at "$results/status")") s, VM off at $(seconds_to "$ended") s;" \
    "logs in $results"
exit "$scenario_status"

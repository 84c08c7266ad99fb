# Sourced by fetch-kernel.sh, make-initramfs.sh and run-vm.sh (after they set $here): where the
# cache is and which kernel the run boots.
#
# KMODD_VM_KERNEL picks the kernel: unset or empty, the linux-image-amd64 of this machine's own
# apt sources (Debian 12), in <cache>/kernel; the name of a Debian suite (trixie), that suite's
# linux-image-amd64, fetched with an apt state of its own, in <cache>/kernel-<suite>.
# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this

cache=$(realpath -m "${KMODD_VM_CACHE:-$here/../../build/vm-cache}")
kernel_suite=${KMODD_VM_KERNEL:-}
if [[ -n $kernel_suite && ! $kernel_suite =~ ^[a-z]+$ ]]; then
    echo "KMODD_VM_KERNEL='$kernel_suite' is not the name of a Debian suite" >&2
    exit 2
fi
kernel_dir=$cache/kernel${kernel_suite:+-$kernel_suite}

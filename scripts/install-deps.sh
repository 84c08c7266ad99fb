#!/usr/bin/env bash
# Installs, from Debian 12's archive, everything kmodd needs to build, test and run its demo.
set -euo pipefail

packages=(
    # build
    cmake g++ make pkg-config
    libkmod-dev libsdbus-c++-dev libsdbus-c++-bin libsystemd-dev libspdlog-dev
    libyaml-cpp-dev liblzma-dev libzstd-dev zlib1g-dev
    # kmodctl: its command line and its JSON (header-only)
    libcli11-dev nlohmann-json3-dev
    # tests
    libgtest-dev libgmock-dev kmod xz-utils zstd gzip util-linux
    dbus-daemon polkitd
    # the fuzz preset: clang and its libFuzzer runtime
    clang libclang-rt-14-dev
    # VM tests and the demo (tests/vm): QEMU and the guest's userland, taken from this machine
    qemu-system-x86 busybox-static systemd dbus dbus-bin iproute2 python3-gi
    # the Debian 13 kernel's scenario traces kmodd's finit_module/init_module calls
    strace
    # the real-kernel agent benchmark (bench/run-vm.sh) times pkexec modprobe in the guest
    pkexec
    # release builds (scripts/configure-release.sh: dpkg-buildflags) and the Debian package
    # (debian/, built by dpkg-buildpackage with debhelper; checked with lintian)
    dpkg-dev debhelper lintian
)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
        missing+=("$package")
done
if ((${#missing[@]})); then
    echo "Installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

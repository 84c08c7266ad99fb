# Helpers for the VM scenarios (sourced, not run): steps, assertions on a command's exit
# status and output, and waiting for the kernel or the bus to catch up.
# shellcheck shell=bash

scenario=$(basename "$0" .sh)
# shellcheck disable=SC2034 # for the scenarios
release=$(uname -r) module_dir=/lib/modules/$(uname -r)
trap 'echo "$scenario: FAILED at line $LINENO: $BASH_COMMAND" >&2' ERR

step() { echo "$scenario: $*"; }

fail() {
    echo "$scenario: FAILED: $*" >&2
    exit 1
}

# expect STATUS COMMAND...: runs COMMAND, keeps its stdout and stderr in $output and fails
# unless it exits with STATUS.
expect() {
    local want=$1 status=0
    shift
    output=$("$@" 2>&1) || status=$?
    if [[ $status -ne $want ]]; then
        fail "'$*' exited $status, expected $want; it printed: $output"
    fi
}

# expect_output TEXT: the last expect's output contains TEXT.
expect_output() {
    if [[ $output != *"$1"* ]]; then
        fail "expected the output to contain '$1'; it was: $output"
    fi
}

# expect_refused STATUS TEXT COMMAND...: COMMAND fails with STATUS and a message containing TEXT.
expect_refused() {
    local want=$1 text=$2
    shift 2
    expect "$want" "$@"
    expect_output "$text"
    step "refused (exit $want): $*: $output"
}

is_loaded() { grep -q "^$1 " /proc/modules; }

expect_loaded() {
    local module
    for module in "$@"; do
        is_loaded "$module" || fail "$module is not loaded; /proc/modules: $(cut -d' ' -f1 /proc/modules | xargs)"
    done
}

expect_not_loaded() {
    local module
    for module in "$@"; do
        ! is_loaded "$module" || fail "$module is loaded, expected it not to be"
    done
}

# expect_links PREFIX COUNT: exactly PREFIX0..PREFIX<COUNT-1> exist.
expect_links() {
    local prefix=$1 count=$2 found
    found=$(find /sys/class/net -maxdepth 1 -name "${prefix}[0-9]*" | wc -l)
    if [[ $found -ne $count ]]; then
        fail "expected $count $prefix links, found $found: $(ip -br link | awk '{print $1}' | xargs)"
    fi
}

# Whether kmodctl list shows MODULE.
listed() { kmodctl list | grep -q "^$1 "; }
unlisted() { ! listed "$1"; }

# wait_until SECONDS COMMAND...: polls COMMAND until it succeeds.
wait_until() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS < deadline)) || fail "gave up after waiting for: $*"
        sleep 0.1
    done
}

# Whether kmodd owns its bus name; asked of the bus itself, which never activates kmodd.
kmodd_on_bus() {
    busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
        NameHasOwner s org.kmodd.Manager1 | grep -qx 'b true'
}
kmodd_off_bus() { ! kmodd_on_bus; }

# write_config YAML: replaces /etc/kmodd/kmodd.yaml and makes kmodd read it.
write_config() {
    mkdir -p /etc/kmodd
    printf '%s\n' "$1" >/etc/kmodd/kmodd.yaml
    expect 0 kmodctl --no-ask-password reload
}

# The prefix that runs a command as the user nobody.
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# allow_nobody_to_load_veth: a polkit rules file ($polkit_rules) lets nobody load veth; returns once
# polkitd, which reloads its rules by itself, lets nobody's load through: veth is then loaded.
polkit_rules=/etc/polkit-1/rules.d/50-kmodd-vm.rules
allow_nobody_to_load_veth() {
    cat >"$polkit_rules" <<'RULES'
polkit.addRule(function(action, subject) {
    if (action.id == "org.kmodd.load-module" && subject.user == "nobody" &&
        action.lookup("module") == "veth") {
        return polkit.Result.YES;
    }
    return polkit.Result.NOT_HANDLED;
});
RULES
    chmod 644 "$polkit_rules"
    wait_until 20 nobody_loads_veth
}
nobody_loads_veth() { "${nobody[@]}" kmodctl --no-ask-password load veth >/dev/null 2>&1; }

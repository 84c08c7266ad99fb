#!/bin/bash
# Runs the scenario as root, leaves its output and exit status (and in the systemd mode the
# journal) in the results share and powers the VM off, whatever happened.
set -uo pipefail
# shellcheck source=/dev/null # written by run-vm.sh
. /vm-results/run.conf
results=/vm-results

echo "kmodd-vm: running $SCENARIO" >/dev/console
# The host times the run by when these two files were written.
: >"$results/scenario-started"
# Straight to the file, not through a pipe: a daemon the scenario leaves running would keep
# a pipe open, and the scenario's end would never be seen.
bash "$SCENARIO" </dev/null >"$results/scenario.log" 2>&1
status=$?
echo "$status" >"$results/status"
echo "kmodd-vm: the scenario exited $status" >/dev/console

if [[ $MODE == systemd ]]; then
    journalctl -b --no-pager >"$results/journal.log" 2>&1
fi
sync
poweroff -f

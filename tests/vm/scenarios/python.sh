#!/bin/bash
# vm-services: dbus polkit kmodd
# The D-Bus API driven from Python as a desktop agent would (agent.py, GLib's Gio): Load with
# a parameter, ModuleLoaded and InterfacesAdded, the module object's properties, Unload,
# ModuleUnloaded and InterfacesRemoved, then Manager1's counters (kmodd was started for this run).
set -eu
# shellcheck source-path=SCRIPTDIR source=lib/assert.sh
. "$(dirname "$0")/lib/assert.sh"

path=/org/kmodd/Manager1/module/dummy
expect 0 timeout 120 /usr/bin/python3 "$(dirname "$0")/agent.py"
for line in "Load: dummy loaded, inserted: dummy" \
    "signal: InterfacesAdded $path" "signal: ModuleLoaded dummy" \
    "properties: State=live RefCount=0 Parameters=" \
    "Unload: dummy" "signal: ModuleUnloaded dummy" "signal: InterfacesRemoved $path" \
    "counters: LoadCount=1 UnloadCount=1 RefusalCounts={}"; do
    expect_output "$line"
done
expect_not_loaded dummy
step "agent.py loaded and unloaded dummy over D-Bus and saw the signals:" "$output"

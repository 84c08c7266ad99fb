#!/usr/bin/python3
"""A desktop agent driving kmodd from Python with GLib's Gio (Debian: python3-gi).

It connects to the system bus, subscribes to Manager1's ModuleLoaded and ModuleUnloaded and to
the ObjectManager's InterfacesAdded and InterfacesRemoved, loads dummy with numdummies=2, waits
for the signals, reads the module object's properties, unloads dummy and waits for the signals
again, printing what it sees, and at last Manager1's counters. Root needs no polkit authorization; anyone else sets FLAGS to 0x1
so that polkit may ask for a password. A refusal is a GLib.Error naming the D-Bus error.
"""
import sys

from gi.repository import Gio, GLib

BUS_NAME = "org.kmodd.Manager1"
MANAGER_PATH = "/org/kmodd/Manager1"
MANAGER = "org.kmodd.Manager1"
MODULE = "org.kmodd.Module1"
FLAGS = 0  # 0x1: interactive, polkit may ask the user for a password
TIMEOUT_S = 20

bus = Gio.bus_get_sync(Gio.BusType.SYSTEM)
seen = []  # the signals, as "Member argument"


def on_signal(connection, sender, path, interface, member, args):
    # ModuleLoaded/ModuleUnloaded: (module name,); InterfacesAdded/Removed: (path, interfaces)
    if member.startswith("Module") or MODULE in args[1]:
        print(f"signal: {member} {args[0]}", flush=True)
        seen.append(f"{member} {args[0]}")


def wait_for(*signals):
    """Runs the main loop until every one of signals has been seen, or exits after TIMEOUT_S."""
    timed_out = []
    timer = GLib.timeout_add_seconds(TIMEOUT_S, lambda: timed_out.append(True))
    while not all(signal in seen for signal in signals):
        if timed_out:
            sys.exit(f"agent: timed out waiting for {signals}; seen: {seen}")
        GLib.MainContext.default().iteration(True)
    if not timed_out:
        GLib.source_remove(timer)


def call(path, interface, method, signature, args, reply_type):
    try:
        return bus.call_sync(BUS_NAME, path, interface, method, GLib.Variant(signature, args),
                             GLib.VariantType(reply_type), Gio.DBusCallFlags.NONE, -1,
                             None).unpack()
    except GLib.Error as error:  # e.g. org.kmodd.Error.NotAllowed, NotAuthorized, NotFound
        name = Gio.DBusError.get_remote_error(error)
        Gio.DBusError.strip_remote_error(error)
        sys.exit(f"agent: {method} failed: {name}: {error.message}")


# Subscribed before the call: the bus takes the match rules first, so no signal is missed.
for interface in (MANAGER, "org.freedesktop.DBus.ObjectManager"):
    bus.signal_subscribe(BUS_NAME, interface, None, MANAGER_PATH, None,
                         Gio.DBusSignalFlags.NONE, on_signal)

module, result, inserted, _plan, _skipped = call(MANAGER_PATH, MANAGER, "Load", "(sa{ss}t)",
                                ("dummy", {"numdummies": "2"}, FLAGS), "(ssasa(ssss)a(ss))")
print(f"Load: {module} {result}, inserted: {' '.join(inserted)}", flush=True)
path = f"{MANAGER_PATH}/module/{module}"  # bytes outside [A-Za-z0-9_] would be escaped as _xx
if result == "loaded":  # not "already-loaded" or "builtin"
    wait_for(f"InterfacesAdded {path}", f"ModuleLoaded {module}")

(properties,) = call(path, "org.freedesktop.DBus.Properties", "GetAll", "(s)", (MODULE,),
                     "(a{sv})")
print("properties:", *(f"{key}={properties[key]}" for key in ("State", "RefCount", "Parameters")),
      flush=True)

call(MANAGER_PATH, MANAGER, "Unload", "(st)", (module, FLAGS), "(sas)")
print(f"Unload: {module}", flush=True)
wait_for(f"ModuleUnloaded {module}", f"InterfacesRemoved {path}")

(counters,) = call(MANAGER_PATH, "org.freedesktop.DBus.Properties", "GetAll", "(s)", (MANAGER,),
                   "(a{sv})")
print("counters:", *(f"{key}={counters[key]}" for key in ("LoadCount", "UnloadCount",
                                                          "RefusalCounts")), flush=True)

#pragma once

// kmodd's D-Bus contract (SPEC "Names") as constants, for the daemon, kmodctl, the tests and the
// benchmarks: what each side would otherwise spell again. The interface XML (dbus/*.xml) stays
// the one source of members, types and documentation; this header names what the XML leaves to
// code: the bus name, paths, interfaces, the flag bits, the error names and the result strings.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace kmodd::wire {

inline constexpr char busName[] = "org.kmodd.Manager1";
inline constexpr char managerPath[] = "/org/kmodd/Manager1";
inline constexpr char managerInterface[] = "org.kmodd.Manager1";
inline constexpr char moduleInterface[] = "org.kmodd.Module1";
/// A module's object is managerPath + modulePathInfix + its escaped name.
inline constexpr char modulePathInfix[] = "/module/";
/// Root's way to kmodd without the bus daemon (as systemctl's /run/systemd/private): a
/// direct D-Bus connection serving Manager1's methods and properties to uid 0 only.
inline constexpr char rootSocketPath[] = "/run/kmodd/private";
/// kmodctl's override of rootSocketPath (tests and private instances).
inline constexpr char rootSocketVariable[] = "KMODD_ROOT_SOCKET";

/// rootSocketPath on the standard system bus; none where DBUS_SYSTEM_BUS_ADDRESS points kmodd
/// and kmodctl at another bus (SPEC), whose kmodd is not the system's: it must neither take the
/// system kmodd's socket nor have root's kmodctl sent to the system kmodd.
inline const char* defaultRootSocket() {
    const char* bus = std::getenv("DBUS_SYSTEM_BUS_ADDRESS");
    return bus == nullptr || *bus == '\0' ? rootSocketPath : nullptr;
}

/// The bits of the `flags` argument of Manager1's state-changing methods.
namespace flag {
inline constexpr std::uint64_t interactive = 0x1;       ///< polkit may ask for a password
inline constexpr std::uint64_t forceVermagic = 0x2;     ///< MODULE_INIT_IGNORE_VERMAGIC
inline constexpr std::uint64_t forceModversion = 0x4;   ///< MODULE_INIT_IGNORE_MODVERSIONS
inline constexpr std::uint64_t dryRun = 0x8;            ///< Load: the plan, nothing loaded
inline constexpr std::uint64_t keepDependencies = 0x10; ///< Unload: leave what its load brought
} // namespace flag

/// The D-Bus errors: prefix + one of the names below.
namespace error {
inline constexpr char prefix[] = "org.kmodd.Error.";
inline constexpr char invalidArgument[] = "InvalidArgument";
inline constexpr char notFound[] = "NotFound";
inline constexpr char notAllowed[] = "NotAllowed";
inline constexpr char notAuthorized[] = "NotAuthorized";
inline constexpr char untrusted[] = "Untrusted";
inline constexpr char invalidParameter[] = "InvalidParameter";
inline constexpr char inUse[] = "InUse";
inline constexpr char kernelRejected[] = "KernelRejected";
inline constexpr char busy[] = "Busy";
inline constexpr char configInvalid[] = "ConfigInvalid";
inline constexpr char failed[] = "Failed";

/// The full D-Bus error name of a short one: "NotFound" -> "org.kmodd.Error.NotFound".
inline std::string busName(std::string_view name) {
    return std::string(prefix) + std::string(name);
}
} // namespace error

/// Load's result, and each LoadBootModules entry's result when it succeeded.
namespace loadResult {
inline constexpr char loaded[] = "loaded";
inline constexpr char alreadyLoaded[] = "already-loaded";
inline constexpr char builtin[] = "builtin";
inline constexpr char dryRun[] = "dry-run";
} // namespace loadResult

/// The outcome of one entry of Load's plan.
namespace planOutcome {
inline constexpr char inserted[] = "inserted";
inline constexpr char alreadyLoaded[] = "already-loaded";
inline constexpr char toInsert[] = "to-insert";
} // namespace planOutcome

/// Module1's State; GetModule also answers unloaded or builtin.
namespace moduleState {
inline constexpr char live[] = "live";
inline constexpr char coming[] = "coming";
inline constexpr char going[] = "going";
inline constexpr char unloaded[] = "unloaded";
inline constexpr char builtin[] = "builtin";
} // namespace moduleState

/// The polkit actions, one per verb (polkit/org.kmodd.policy), and the detail each check passes.
namespace action {
inline constexpr char loadModule[] = "org.kmodd.load-module";
inline constexpr char unloadModule[] = "org.kmodd.unload-module";
inline constexpr char reloadConfig[] = "org.kmodd.reload-config";
inline constexpr char moduleDetail[] = "module";
} // namespace action

} // namespace kmodd::wire

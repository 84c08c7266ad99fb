#pragma once

#include <chrono>
#include <cstddef>

// The bounds every request meets before any other work (SPEC "Limits"). The XML docs
// (dbus/org.kmodd.Manager1.xml), kmodctl(1) and kmodd(8) quote these numbers.
namespace kmodd::requestLimit {

/// Parameters one Load may carry.
inline constexpr std::size_t parameters = 64;
/// Bytes of parameter text (names and values together) one Load may carry.
inline constexpr std::size_t parameterText = 64 * 1024;
/// Requests one unprivileged uid may have in flight (decoded, not yet answered).
inline constexpr std::size_t requestsPerUid = 16;
/// polkit checks pending at once, for all callers together: well under the 128 replies a
/// dbus-daemon lets one connection (kmodd) wait for, so that root's own calls always fit.
inline constexpr std::size_t pendingAuthorizations = 64;
/// Connections to root's socket open at once (each a root client; kmodctl opens one).
inline constexpr std::size_t rootConnections = 64;
/// A kernel operation running longer than this is reported, and while it runs new state
/// changes are answered with Busy instead of waiting behind it.
inline constexpr std::chrono::seconds stuckKernelOperation{10};
/// Boot list modules in the kernel at once, at most (fewer with fewer CPUs): module loading
/// is mostly the CPU's work (relocation, signature check, init), and past a few loads at once
/// they wait for each other's locks in the kernel.
inline constexpr std::size_t bootLoadWorkers = 4;

} // namespace kmodd::requestLimit

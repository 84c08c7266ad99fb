#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <sdbus-c++/IProxy.h>
#include <string>
#include <sys/types.h>
#include <unordered_map>

namespace kmodd {

/// Who asked. uid, pid and bus name are what the bus daemon vouches for; the unit is read from
/// /proc afterwards and only ever logged.
struct Caller {
    std::string busName{};              ///< unique name, e.g. ":1.42"; empty for kmodd itself
    uid_t uid = static_cast<uid_t>(-1); ///< effective uid when it connected to the bus
    pid_t pid = 0;
    std::string unit{}; ///< systemd unit of the process, or empty
};

/// The connection behind a unique bus name, as the bus daemon (busDriver: a proxy for
/// org.freedesktop.DBus) describes it. Throws Error(Failed) when the bus cannot tell who it is
/// (the caller has disconnected meanwhile).
Caller callerOf(sdbus::IProxy& busDriver, const std::string& sender);

/// kmodd acting on its own (loading the boot list at start).
Caller kmoddItself();

/// The systemd unit of a process, or empty.
std::string unitOf(pid_t pid);

/// Callers remembered by unique bus name, so that a client calling again costs no round trip to
/// the bus (callerOf() asks the bus daemon, blocking the loop). This is exact: the bus
/// daemon recorded uid and pid when the connection was made, and never gives a unique name to
/// another connection. The unit is read afresh on every call. At most capacity names are kept,
/// the oldest going first.
class CallerCache {
  public:
    explicit CallerCache(std::size_t capacity = 256)
        : capacity_(std::max<std::size_t>(capacity, 1)) {}

    /// The caller behind sender; lookUp() (callerOf the message) when it is not known yet. What
    /// lookUp() throws is passed on and nothing is remembered.
    Caller identify(const std::string& sender, const std::function<Caller()>& lookUp);

  private:
    std::size_t capacity_;
    std::unordered_map<std::string, Caller> known_;
    std::deque<std::string> order_; ///< oldest first
};

} // namespace kmodd

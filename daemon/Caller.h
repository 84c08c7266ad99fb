#pragma once

#include <sdbus-c++/Message.h>
#include <string>
#include <sys/types.h>

namespace kmodd {

/// Who asked. uid, pid and bus name are what the bus daemon vouches for; the unit is read from
/// /proc afterwards and only ever logged.
struct Caller {
    std::string busName;                ///< unique name, e.g. ":1.42"; empty for kmodd itself
    uid_t uid = static_cast<uid_t>(-1); ///< effective uid when it connected to the bus
    pid_t pid = 0;
    std::string unit; ///< systemd unit of the process, or empty
};

/// The sender of a method call. Throws Error(Failed) when the bus cannot tell who it is (the
/// caller has disconnected meanwhile).
Caller callerOf(const sdbus::Message& message);

/// kmodd acting on its own (loading the boot list at start).
Caller kmoddItself();

} // namespace kmodd

#include "Caller.h"

#include "Error.h"

#include <cstdlib>
#include <sdbus-c++/Error.h>
#include <systemd/sd-login.h>
#include <unistd.h>

namespace kmodd {

std::string unitOf(pid_t pid) {
    char* unit = nullptr;
    if (sd_pid_get_unit(pid, &unit) < 0) {
        return {};
    }
    std::string name(unit);
    std::free(unit);
    return name;
}

Caller callerOf(const sdbus::Message& message) {
    Caller caller;
    caller.busName = message.getSender();
    try {
        // The effective uid is what the bus daemon saw on connect (GetConnectionUnixUser);
        // sd-bus would read the real uid from /proc/PID, racing with PID reuse.
        caller.uid = message.getCredsEuid();
        caller.pid = message.getCredsPid();
    } catch (const sdbus::Error& error) {
        throw Error(ErrorKind::Failed,
                    "cannot identify the caller " + caller.busName + ": " + error.getMessage());
    }
    caller.unit = unitOf(caller.pid);
    return caller;
}

Caller kmoddItself() {
    const pid_t pid = ::getpid();
    return {"", ::getuid(), pid, unitOf(pid)};
}

Caller CallerCache::identify(const std::string& sender, const std::function<Caller()>& lookUp) {
    if (const auto known = known_.find(sender); known != known_.end()) {
        Caller caller = known->second;
        caller.unit = unitOf(caller.pid);
        return caller;
    }
    Caller caller = lookUp();
    if (known_.size() == capacity_) {
        known_.erase(order_.front());
        order_.pop_front();
    }
    known_.emplace(sender, caller);
    order_.push_back(sender);
    return caller;
}

} // namespace kmodd

#include "Caller.h"

#include "Error.h"

#include <cstdint>
#include <cstdlib>
#include <map>
#include <sdbus-c++/sdbus-c++.h>
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

Caller callerOf(sdbus::IProxy& busDriver, const std::string& sender) {
    Caller caller;
    caller.busName = sender;
    // One call for both, where sd-bus's per-credential queries make a round trip each. The uid
    // is the one the bus daemon saw on connect, not one read from /proc/PID later, which would
    // race with PID reuse.
    std::map<std::string, sdbus::Variant> credentials;
    try {
        busDriver.callMethod("GetConnectionCredentials")
            .onInterface("org.freedesktop.DBus")
            .withArguments(sender)
            .storeResultsTo(credentials);
        const auto uid = credentials.find("UnixUserID");
        const auto pid = credentials.find("ProcessID");
        if (uid == credentials.end() || pid == credentials.end()) {
            throw Error(ErrorKind::Failed, "cannot identify the caller " + sender +
                                               ": the bus daemon does not know its uid and pid");
        }
        caller.uid = uid->second.get<std::uint32_t>();
        caller.pid = static_cast<pid_t>(pid->second.get<std::uint32_t>());
    } catch (const sdbus::Error& error) {
        throw Error(ErrorKind::Failed,
                    "cannot identify the caller " + sender + ": " + error.getMessage());
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

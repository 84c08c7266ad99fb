#pragma once

#include "ModuleInfo.h"
#include "SystemBus.h"
#include "WireNames.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kmodctl {

using kmodd::wire::busName;
using kmodd::wire::managerInterface;
using kmodd::wire::managerPath;

/// What Manager1.Unload answers.
struct UnloadOutcome {
    std::string module;
    std::vector<std::string> unloaded;
};

/// The methods of org.kmodd.Manager1 (dbus/org.kmodd.Manager1.xml) that kmodctl calls, one
/// blocking call each; a failed call throws BusError.
class ManagerClient {
  public:
    explicit ManagerClient(SystemBus& bus) : bus_(bus) {}

    /// The timeout of the calls that follow (0: sd-bus's default).
    void setTimeout(std::chrono::microseconds timeout) { timeout_ = timeout; }

    std::vector<ModuleSummary> listModules();
    PropertyMap getModule(const std::string& name);
    /// The outcome with requested set to name.
    LoadOutcome load(const std::string& name, const std::map<std::string, std::string>& parameters,
                     std::uint64_t flags);
    UnloadOutcome unload(const std::string& name, std::uint64_t flags);
    void reload(std::uint64_t flags);
    std::vector<BootResult> loadBootModules(std::uint64_t flags);
    /// The ModuleDirectory property.
    std::string moduleDirectory();

  private:
    BusMessage call(const BusMessage& methodCall) { return bus_.call(methodCall, timeout_); }
    BusMessage method(const char* member);

    SystemBus& bus_;
    std::chrono::microseconds timeout_{0};
};

} // namespace kmodctl

#include "ManagerClient.h"

namespace kmodctl {

BusMessage ManagerClient::method(const char* member) {
    return bus_.newMethodCall(busName, managerPath, managerInterface, member);
}

std::vector<ModuleSummary> ManagerClient::listModules() {
    BusMessage reply = call(method("ListModules"));
    std::vector<ModuleSummary> modules;
    reply.readStructs("ssuas", [&] {
        ModuleSummary& module = modules.emplace_back();
        module.name = reply.readString();
        module.state = reply.readString();
        module.refCount = reply.readUint32();
        module.holders = reply.readStrings();
    });
    return modules;
}

PropertyMap ManagerClient::getModule(const std::string& name) {
    BusMessage request = method("GetModule");
    request.append(name);
    return call(request).readPropertyMap();
}

LoadOutcome ManagerClient::load(const std::string& name,
                                const std::map<std::string, std::string>& parameters,
                                std::uint64_t flags) {
    BusMessage request = method("Load");
    request.append(name).append(parameters).append(flags);
    BusMessage reply = call(request);
    LoadOutcome outcome{name, reply.readString(), reply.readString(), reply.readStrings()};
    reply.readStructs("ssss", [&] {
        PlanStep& step = outcome.modules.emplace_back();
        step.module = reply.readString();
        step.file = reply.readString();
        step.parameters = reply.readString();
        step.outcome = reply.readString();
    });
    reply.readStructs("ss", [&] {
        SkippedModule& skipped = outcome.skipped.emplace_back();
        skipped.module = reply.readString();
        skipped.reason = reply.readString();
    });
    return outcome;
}

UnloadOutcome ManagerClient::unload(const std::string& name, std::uint64_t flags) {
    BusMessage request = method("Unload");
    request.append(name).append(flags);
    BusMessage reply = call(request);
    UnloadOutcome outcome;
    outcome.module = reply.readString();
    outcome.unloaded = reply.readStrings();
    return outcome;
}

void ManagerClient::reload(std::uint64_t flags) {
    BusMessage request = method("Reload");
    request.append(flags);
    call(request);
}

std::vector<BootResult> ManagerClient::loadBootModules(std::uint64_t flags) {
    BusMessage request = method("LoadBootModules");
    request.append(flags);
    BusMessage reply = call(request);
    std::vector<BootResult> results;
    reply.readStructs("sss", [&] {
        BootResult& result = results.emplace_back();
        result.name = reply.readString();
        result.module = reply.readString();
        result.result = reply.readString();
    });
    return results;
}

std::string ManagerClient::moduleDirectory() {
    BusMessage request =
        bus_.newMethodCall(busName, managerPath, "org.freedesktop.DBus.Properties", "Get");
    request.append(managerInterface).append("ModuleDirectory");
    BusMessage reply = call(request);
    reply.enterPresent('v', "s");
    return reply.readString();
}

} // namespace kmodctl

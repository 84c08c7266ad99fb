#include "Commands.h"

#include "DBusValues.h"
#include "ManagerProxy.h"
#include "Output.h"
#include "PolkitAgent.h"

#include <algorithm>
#include <chrono>
#include <iostream>

namespace kmodctl {
namespace {

// Long enough for a slow module init behind a password prompt; the daemon answers every call.
constexpr std::chrono::minutes stateChangeTimeout{10};

ExitStatus list(ManagerProxy& manager, const Invocation& invocation) {
    std::vector<ModuleSummary> modules;
    for (const auto& entry : manager.ListModules()) {
        modules.push_back({entry.get<0>(), entry.get<1>(), entry.get<2>(), entry.get<3>()});
    }
    std::cout << formatModuleList(std::move(modules), invocation.json);
    return exitSuccess;
}

ExitStatus status(ManagerProxy& manager, const Invocation& invocation) {
    const ModuleDetails details =
        detailsFromProperties(toPropertyMap(manager.GetModule(invocation.module)));
    std::cout << formatModuleDetails(details, invocation.json);
    return exitSuccess;
}

ExitStatus load(ManagerProxy& manager, const Invocation& invocation) {
    auto agent = PolkitAgent::startIfUseful(invocation.askPassword);
    auto [module, result, inserted] =
        manager.Load(invocation.module, invocation.parameters, callFlags(invocation));
    agent.reset();
    const LoadOutcome outcome{invocation.module, module, result, inserted};
    std::cout << formatLoadOutcome(outcome, invocation.json, invocation.verbose);
    return exitSuccess;
}

ExitStatus unload(ManagerProxy& manager, const Invocation& invocation) {
    auto agent = PolkitAgent::startIfUseful(invocation.askPassword);
    const std::string module = manager.Unload(invocation.module, callFlags(invocation));
    agent.reset();
    std::cout << formatUnloaded(module, invocation.json, invocation.verbose);
    return exitSuccess;
}

ExitStatus reload(ManagerProxy& manager, const Invocation& invocation) {
    auto agent = PolkitAgent::startIfUseful(invocation.askPassword);
    manager.Reload(callFlags(invocation));
    agent.reset();
    if (invocation.verbose) {
        std::cout << "Reloaded the configuration.\n";
    }
    return exitSuccess;
}

ExitStatus boot(ManagerProxy& manager, const Invocation& invocation) {
    auto agent = PolkitAgent::startIfUseful(invocation.askPassword);
    std::vector<BootResult> results;
    for (const auto& entry : manager.LoadBootModules(callFlags(invocation))) {
        results.push_back({entry.get<0>(), entry.get<1>(), entry.get<2>()});
    }
    agent.reset();
    if (invocation.json) {
        std::cout << formatBootResultsJson(results);
    } else {
        for (const BootResult& entry : results) {
            if (entry.succeeded()) {
                std::cout << loadResultSentence(entry.module, entry.result) << "\n";
            } else {
                std::cerr << "kmodctl: " << entry.result << "\n"; // names the module already
            }
        }
    }
    const bool allSucceeded = std::all_of(
        results.begin(), results.end(), [](const BootResult& entry) { return entry.succeeded(); });
    return allSucceeded ? exitSuccess : exitFailure;
}

} // namespace

ExitStatus runCommand(const Invocation& invocation, sdbus::IConnection& connection) {
    ManagerProxy manager(connection);
    if (invocation.verb != Verb::List && invocation.verb != Verb::Status) {
        connection.setMethodCallTimeout(stateChangeTimeout);
    }
    switch (invocation.verb) {
    case Verb::List:
        return list(manager, invocation);
    case Verb::Status:
        return status(manager, invocation);
    case Verb::Load:
        return load(manager, invocation);
    case Verb::Unload:
        return unload(manager, invocation);
    case Verb::Reload:
        return reload(manager, invocation);
    case Verb::Boot:
        return boot(manager, invocation);
    default:
        throw std::logic_error("runCommand cannot run " + std::string(verbName(invocation.verb)));
    }
}

} // namespace kmodctl

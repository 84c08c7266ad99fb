#include "Commands.h"

#include "Colour.h"
#include "DBusValues.h"
#include "ManagerProxy.h"
#include "Output.h"
#include "PolkitAgent.h"
#include "Suggestions.h"
#include "WireNames.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <unistd.h>

namespace kmodctl {
namespace {

// Long enough for a slow module init behind a password prompt; the daemon answers every call.
constexpr std::chrono::minutes stateChangeTimeout{10};

ExitStatus list(ManagerProxy& manager, const Invocation& invocation) {
    std::vector<ModuleSummary> modules;
    for (const auto& entry : manager.ListModules()) {
        modules.push_back({entry.get<0>(), entry.get<1>(), entry.get<2>(), entry.get<3>()});
    }
    std::cout << formatModuleList(std::move(modules), invocation.json,
                                  wantsColour(STDOUT_FILENO, invocation.json));
    return exitSuccess;
}

ExitStatus status(ManagerProxy& manager, const Invocation& invocation) {
    const ModuleDetails details =
        detailsFromProperties(toPropertyMap(manager.GetModule(invocation.module)));
    std::cout << formatModuleDetails(details, invocation.json,
                                     wantsColour(STDOUT_FILENO, invocation.json));
    return exitSuccess;
}

ExitStatus load(ManagerProxy& manager, const Invocation& invocation) {
    auto agent = PolkitAgent::startIfUseful(invocation.askPassword);
    auto [module, result, inserted, plan, skipped] =
        manager.Load(invocation.module, invocation.parameters, callFlags(invocation));
    agent.reset();
    LoadOutcome outcome{invocation.module, module, result, inserted};
    for (const auto& step : plan) {
        outcome.modules.push_back({step.get<0>(), step.get<1>(), step.get<2>(), step.get<3>()});
    }
    for (const auto& entry : skipped) {
        outcome.skipped.push_back({entry.get<0>(), entry.get<1>()});
    }
    std::cout << formatLoadOutcome(outcome, invocation.json, invocation.verbose);
    // Not a failure, as with modprobe, but nobody should miss it.
    if (!invocation.json) {
        for (const auto& entry : outcome.skipped) {
            std::cerr << formatWarning(entry.reason, wantsColour(STDERR_FILENO, false));
        }
    }
    return exitSuccess;
}

ExitStatus unload(ManagerProxy& manager, const Invocation& invocation) {
    auto agent = PolkitAgent::startIfUseful(invocation.askPassword);
    const auto [module, unloaded] = manager.Unload(invocation.module, callFlags(invocation));
    agent.reset();
    std::cout << formatUnloaded(module, unloaded, invocation.json, invocation.verbose);
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
        const bool colour = wantsColour(STDERR_FILENO, false);
        for (const BootResult& entry : results) {
            if (entry.succeeded()) {
                std::cout << loadResultSentence(entry.module, entry.result) << "\n";
            } else {
                std::cerr << formatError(entry.result, colour); // names the module already
            }
        }
    }
    const bool allSucceeded = std::all_of(
        results.begin(), results.end(), [](const BootResult& entry) { return entry.succeeded(); });
    return allSucceeded ? exitSuccess : exitFailure;
}

ExitStatus run(ManagerProxy& manager, const Invocation& invocation) {
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

// The module names near a name kmodd did not find: for unload, among the loaded modules; else
// among those of the module directory kmodd resolves names in. Nothing when that cannot be
// read. The client reads the directory itself: its index files are world-readable, and the
// answer needs no new method on the bus.
std::string suggestionFor(ManagerProxy& manager, const Invocation& invocation) {
    try {
        std::vector<std::string> candidates;
        if (invocation.verb == Verb::Unload) {
            for (const auto& entry : manager.ListModules()) {
                candidates.push_back(entry.get<0>());
            }
        } else {
            candidates = moduleNamesIn(manager.ModuleDirectory());
        }
        return didYouMean(closeNames(invocation.module, candidates));
    } catch (const sdbus::Error&) {
        return "";
    }
}

} // namespace

ExitStatus runCommand(const Invocation& invocation, sdbus::IConnection& connection) {
    ManagerProxy manager(connection);
    if (invocation.verb != Verb::List && invocation.verb != Verb::Status) {
        connection.setMethodCallTimeout(stateChangeTimeout);
    }
    try {
        return run(manager, invocation);
    } catch (const sdbus::Error& error) {
        const bool namesAModule = invocation.verb == Verb::Load ||
                                  invocation.verb == Verb::Unload ||
                                  invocation.verb == Verb::Status;
        const std::string suggestion =
            namesAModule &&
                    error.getName() == kmodd::wire::error::busName(kmodd::wire::error::notFound)
                ? suggestionFor(manager, invocation)
                : "";
        if (suggestion.empty()) {
            throw;
        }
        throw sdbus::Error(error.getName(), error.getMessage() + "; " + suggestion);
    }
}

} // namespace kmodctl

#include "Commands.h"

#include "Colour.h"
#include "ManagerClient.h"
#include "Output.h"
#include "PolkitAgent.h"
#include "Print.h"
#include "Suggestions.h"
#include "WireNames.h"

#include <algorithm>
#include <chrono>
#include <unistd.h>

namespace kmodctl {
namespace {

// Long enough for a slow module init behind a password prompt; the daemon answers every call.
constexpr std::chrono::minutes stateChangeTimeout{10};

ExitStatus list(ManagerClient& manager, const Invocation& invocation) {
    print(stdout, formatModuleList(manager.listModules(), invocation.json,
                                   wantsColour(STDOUT_FILENO, invocation.json)));
    return exitSuccess;
}

ExitStatus status(ManagerClient& manager, const Invocation& invocation) {
    const ModuleDetails details = detailsFromProperties(manager.getModule(invocation.module));
    print(stdout, formatModuleDetails(details, invocation.json,
                                      wantsColour(STDOUT_FILENO, invocation.json)));
    return exitSuccess;
}

ExitStatus load(ManagerClient& manager, const Invocation& invocation) {
    auto agent = PolkitAgent::startIfUseful(invocation.askPassword);
    const LoadOutcome outcome =
        manager.load(invocation.module, invocation.parameters, callFlags(invocation));
    agent.reset();
    print(stdout, formatLoadOutcome(outcome, invocation.json, invocation.verbose));
    // Not a failure, as with modprobe, but nobody should miss it.
    if (!invocation.json) {
        for (const auto& entry : outcome.skipped) {
            print(stderr, formatWarning(entry.reason, wantsColour(STDERR_FILENO, false)));
        }
    }
    return exitSuccess;
}

ExitStatus unload(ManagerClient& manager, const Invocation& invocation) {
    auto agent = PolkitAgent::startIfUseful(invocation.askPassword);
    const UnloadOutcome outcome = manager.unload(invocation.module, callFlags(invocation));
    agent.reset();
    print(stdout,
          formatUnloaded(outcome.module, outcome.unloaded, invocation.json, invocation.verbose));
    return exitSuccess;
}

ExitStatus reload(ManagerClient& manager, const Invocation& invocation) {
    auto agent = PolkitAgent::startIfUseful(invocation.askPassword);
    manager.reload(callFlags(invocation));
    agent.reset();
    if (invocation.verbose) {
        print(stdout, "Reloaded the configuration.\n");
    }
    return exitSuccess;
}

ExitStatus boot(ManagerClient& manager, const Invocation& invocation) {
    auto agent = PolkitAgent::startIfUseful(invocation.askPassword);
    const std::vector<BootResult> results = manager.loadBootModules(callFlags(invocation));
    agent.reset();
    if (invocation.json) {
        print(stdout, formatBootResultsJson(results));
    } else {
        const bool colour = wantsColour(STDERR_FILENO, false);
        for (const BootResult& entry : results) {
            if (entry.succeeded()) {
                print(stdout, loadResultSentence(entry.module, entry.result) + "\n");
            } else {
                print(stderr, formatError(entry.result, colour)); // names the module already
            }
        }
    }
    const bool allSucceeded = std::all_of(
        results.begin(), results.end(), [](const BootResult& entry) { return entry.succeeded(); });
    return allSucceeded ? exitSuccess : exitFailure;
}

ExitStatus run(ManagerClient& manager, const Invocation& invocation) {
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
std::string suggestionFor(ManagerClient& manager, const Invocation& invocation) {
    try {
        std::vector<std::string> candidates;
        if (invocation.verb == Verb::Unload) {
            for (const ModuleSummary& module : manager.listModules()) {
                candidates.push_back(module.name);
            }
        } else {
            candidates = moduleNamesIn(manager.moduleDirectory());
        }
        return didYouMean(closeNames(invocation.module, candidates));
    } catch (const std::runtime_error&) {
        return "";
    }
}

} // namespace

ExitStatus runCommand(const Invocation& invocation, SystemBus& bus) {
    ManagerClient manager(bus);
    if (invocation.verb != Verb::List && invocation.verb != Verb::Status) {
        manager.setTimeout(stateChangeTimeout);
    }
    try {
        return run(manager, invocation);
    } catch (const BusError& error) {
        const bool namesAModule = invocation.verb == Verb::Load ||
                                  invocation.verb == Verb::Unload ||
                                  invocation.verb == Verb::Status;
        const std::string suggestion =
            namesAModule &&
                    error.name() == kmodd::wire::error::busName(kmodd::wire::error::notFound)
                ? suggestionFor(manager, invocation)
                : "";
        if (suggestion.empty()) {
            throw;
        }
        throw BusError(error.name(), error.message() + "; " + suggestion);
    }
}

} // namespace kmodctl

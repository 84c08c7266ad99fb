#include "Manager.h"

#include "BusError.h"
#include "LoadCallBounds.h"
#include "ModuleDetails.h"
#include "ModuleListReply.h"
#include "ObjectPath.h"
#include "RequestDecoding.h"
#include "RequestLimits.h"
#include "WireNames.h"

namespace kmodd {
namespace {

// sdbus::Result is move-only, and the answer travels through copyable callbacks.
template <class... Results> auto shared(sdbus::Result<Results...>&& result) {
    return std::make_shared<sdbus::Result<Results...>>(std::move(result));
}

ModuleList listOf(const ModuleMap& modules) {
    ModuleList list;
    list.reserve(modules.size());
    for (const auto& [name, module] : modules) {
        list.emplace_back(name.str(), std::string(stateName(module.state)),
                          module.refcount.value_or(0), namesOf(module.holders));
    }
    return list;
}

PlanEntries planEntries(const std::vector<PlanEntry>& entries) {
    PlanEntries plan;
    for (const auto& entry : entries) {
        plan.emplace_back(entry.module.str(), entry.file.string(), entry.parameters,
                          std::string(moduleOutcomeName(entry.outcome)));
    }
    return plan;
}

SkippedModules skippedModules(const std::vector<SkippedModule>& skipped) {
    SkippedModules modules;
    for (const auto& module : skipped) {
        modules.emplace_back(module.module.str(), module.reason);
    }
    return modules;
}

} // namespace

Manager::Manager(sdbus::IConnection& connection, RequestHandler& requests, ModuleTable& table,
                 const Kernel& kernel, const ModuleIndex& index, ModuleFactsCache& facts,
                 const ModuleEngine& engine, std::shared_ptr<spdlog::logger> logger)
    : ManagerBusObjectOwner(std::make_unique<ManagerBusObject>(
          sdbus::createObject(connection, wire::managerPath),
          [this](sdbus::MethodCall& call) { return checkLoadCall(call); })),
      Manager1_adaptor(busObject()), ObjectManager_adaptor(busObject()), connection_(connection),
      requests_(requests), table_(table), kernel_(kernel), index_(index), facts_(facts),
      engine_(engine), logger_(std::move(logger)), moduleList_(listOf(table_.modules())),
      busDriver_(sdbus::createProxy(connection, "org.freedesktop.DBus", "/org/freedesktop/DBus")) {
    busObject().finishRegistration();
    for (const auto& [name, module] : table_.modules()) {
        addObject(module);
    }
}

Manager::~Manager() {
    objects_.clear();
    busObject().unregister();
}

bool Manager::refresh() {
    try {
        const TableChanges changes = table_.refresh();
        // The list shows only what the diff compares: without a change it is the same.
        if (changes != TableChanges{}) {
            moduleList_ = listOf(table_.modules());
        }
        for (const auto& name : changes.removed) {
            if (const auto node = objects_.extract(name)) {
                node.mapped()->emitInterfacesRemovedSignal();
            }
            emitModuleUnloaded(name.str());
        }
        for (const auto& name : changes.added) {
            addObject(*table_.find(name)).emitInterfacesAddedSignal();
        }
        for (const auto& name : changes.changed) {
            objects_.at(name)->update(*table_.find(name));
        }
        for (const auto& name : changes.becameLive) {
            emitModuleLoaded(name.str());
        }
        return true;
    } catch (const std::exception& error) {
        logger_->warn("cannot publish the kernel's module list: {}", error.what());
        return false;
    }
}

void Manager::Load(sdbus::Result<std::string, std::string, std::vector<std::string>, PlanEntries,
                                 SkippedModules>&& result,
                   std::string name, std::map<std::string, std::string> parameters,
                   uint64_t flags) {
    auto reply = shared(std::move(result));
    Caller caller;
    if (!identifyCaller(*reply,
                        {.operation = Operation::Load,
                         .requested = name,
                         .parameters = describeParameters(parameters),
                         .flags = flags},
                        caller)) {
        return;
    }
    requests_.load(caller, name, parameters, flags, [this, reply](const LoadOutcome& outcome) {
        answer([&] {
            if (const auto* report = std::get_if<LoadReport>(&outcome.result)) {
                reply->returnResults(report->module.str(),
                                     std::string(loadStatusName(report->status)),
                                     namesOf(report->inserted), planEntries(report->modules),
                                     skippedModules(report->skipped));
            } else {
                reply->returnError(toBusError(std::get<Error>(outcome.result)));
            }
        });
    });
}

void Manager::Unload(sdbus::Result<std::string, std::vector<std::string>>&& result,
                     std::string name, uint64_t flags) {
    auto reply = shared(std::move(result));
    Caller caller;
    if (!identifyCaller(*reply, {.operation = Operation::Unload, .requested = name, .flags = flags},
                        caller)) {
        return;
    }
    requests_.unload(caller, name, flags, [this, reply](const UnloadOutcome& outcome) {
        answer([&] {
            if (const auto* report = std::get_if<UnloadReport>(&outcome.result)) {
                reply->returnResults(report->module.str(), namesOf(report->unloaded));
            } else {
                reply->returnError(toBusError(std::get<Error>(outcome.result)));
            }
        });
    });
}

void Manager::ListModules(sdbus::Result<ModuleList>&&) {
    // Not result.returnResults(): sdbus-c++'s generic writer is slower (writeModuleList).
    auto reply = busObject().currentCall().createReply();
    writeModuleList(reply, moduleList_);
    reply.send();
}

void Manager::GetModule(sdbus::Result<std::map<std::string, sdbus::Variant>>&& result,
                        std::string name) {
    auto reply = shared(std::move(result));
    try {
        const RequestedName requested = decodeRequestedName(name);
        std::optional<Resolution> resolution;
        std::optional<ModuleName> module;
        if (requested.module && objectFor(*requested.module)) {
            module = requested.module;
        } else {
            index_.reloadIfChanged();
            resolution = index_.resolve(requested.requested);
            module = resolution->name;
        }
        const auto file = objectFor(*module) ? index_.fileOf(*module)
                          : resolution->builtin || resolution->loadOrder.empty()
                              ? std::nullopt
                              : std::optional(resolution->loadOrder.back().path);
        if (!file) {
            // Built in, or loaded from a file the module directory does not know.
            if (auto* object = objectFor(*module)) {
                reply->returnResults(object->properties());
                return;
            }
            reply->returnResults(
                toProperties({module->str(),
                              wire::moduleState::builtin,
                              0,
                              {},
                              publishedParameters(
                                  kernel_.moduleParameters(*module).value_or(ModuleParameters{})),
                              {}}));
            return;
        }
        // The file's version and signer may take a read (a decompression): off the loop.
        facts_.get({{*module, *file}}, engine_.config()->trustedPaths,
                   ModuleFactsCache::Priority::Normal,
                   [this, reply, module = *module,
                    path = *file](const ModuleFactsCache::Outcome& outcome) {
                       // A file that cannot be read as a module has no version or signer.
                       const auto* facts = std::get_if<0>(&outcome.front());
                       answer([&] {
                           if (auto* object = objectFor(module)) {
                               reply->returnResults(object->properties());
                               return;
                           }
                           reply->returnResults(
                               toProperties({module.str(),
                                             wire::moduleState::unloaded,
                                             0,
                                             {},
                                             {},
                                             fileFactsOf(path, facts ? facts->get() : nullptr)}));
                       });
                   });
    } catch (...) {
        answer([&] { reply->returnError(toBusError(currentError())); });
    }
}

void Manager::Reload(sdbus::Result<>&& result, uint64_t flags) {
    auto reply = shared(std::move(result));
    Caller caller;
    if (!identifyCaller(*reply, {.operation = Operation::Reload, .flags = flags}, caller)) {
        return;
    }
    requests_.reload(caller, flags, [this, reply](const std::optional<Error>& error) {
        answer([&] {
            if (error) {
                reply->returnError(toBusError(*error));
            } else {
                reply->returnResults();
            }
        });
    });
}

void Manager::LoadBootModules(
    sdbus::Result<std::vector<sdbus::Struct<std::string, std::string, std::string>>>&& result,
    uint64_t flags) {
    auto reply = shared(std::move(result));
    Caller caller;
    if (!identifyCaller(*reply, {.operation = Operation::LoadBootModules, .flags = flags},
                        caller)) {
        return;
    }
    requests_.loadBootModules(
        caller, flags, [this, reply](const std::variant<std::vector<BootResult>, Error>& outcome) {
            answer([&] {
                if (const auto* error = std::get_if<Error>(&outcome)) {
                    reply->returnError(toBusError(*error));
                    return;
                }
                std::vector<sdbus::Struct<std::string, std::string, std::string>> results;
                for (const auto& entry : std::get<std::vector<BootResult>>(outcome)) {
                    results.emplace_back(entry.listed, entry.module, entry.result);
                }
                reply->returnResults(results);
            });
        });
}

std::string Manager::Version() {
    return KMODD_VERSION;
}

std::string Manager::ModuleDirectory() {
    return index_.directory().string();
}

uint64_t Manager::LoadCount() {
    return requests_.counters().loads();
}

uint64_t Manager::UnloadCount() {
    return requests_.counters().unloads();
}

std::map<std::string, uint64_t> Manager::RefusalCounts() {
    return requests_.counters().refusals();
}

std::string Manager::KernelOperation() {
    const auto running = requests_.runningKernelOperation();
    if (!running) {
        return "";
    }
    return running->what + " for " +
           std::to_string(
               std::chrono::duration_cast<std::chrono::seconds>(running->elapsed).count()) +
           " s";
}

bool Manager::checkLoadCall(sdbus::MethodCall& call) {
    const LoadCallBounds bounds = readLoadCallBounds(call);
    if (!bounds.refusal) {
        return true;
    }
    // Its flags come after the parameters and are not read.
    RequestRecord request{.operation = Operation::Load, .requested = bounds.requested};
    try {
        request.caller = senderOf(call);
    } catch (...) {
        request.caller = {.busName = call.getSender()};
    }
    requests_.refuse(request, *bounds.refusal);
    answer([&] { call.createErrorReply(toBusError(*bounds.refusal)).send(); });
    return false;
}

Caller Manager::senderOf(const sdbus::Message& call) {
    // Root's socket: SO_PEERCRED has told who it is.
    if (const Caller* peer = busObject().directPeer()) {
        return *peer;
    }
    return callers_.identify(call.getSender(),
                             [&] { return callerOf(*busDriver_, call.getSender()); });
}

int Manager::answerDirect(sd_bus_message* message, const Caller& peer, sd_bus_error* error) {
    return busObject().answerDirect(message, peer, error);
}

template <class... Results>
bool Manager::identifyCaller(const sdbus::Result<Results...>& reply, RequestRecord request,
                             Caller& caller) {
    const auto& message = busObject().currentCall();
    try {
        caller = senderOf(message);
        return true;
    } catch (...) {
        // Journaled and counted like any other failed request; a caller the bus could not tell
        // is only its bus name.
        const Error error = currentError();
        request.caller = {.busName = message.getSender()};
        requests_.refuse(request, error);
        answer([&] { reply.returnError(toBusError(error)); });
        return false;
    }
}

// A caller that has gone away is no reason to stop serving the others.
template <class Send> void Manager::answer(Send&& send) {
    try {
        send();
    } catch (const std::exception& error) {
        logger_->warn("cannot send a reply: {}", error.what());
    }
}

ModuleObject& Manager::addObject(const LoadedModule& module) {
    objects_.erase(module.name); // its path must be free before the new object takes it
    auto object =
        std::make_unique<ModuleObject>(connection_, module, kernel_, index_, facts_, engine_);
    return *objects_.emplace(module.name, std::move(object)).first->second;
}

ModuleObject* Manager::objectFor(const ModuleName& name) {
    const auto found = objects_.find(name);
    return found == objects_.end() ? nullptr : found->second.get();
}

} // namespace kmodd

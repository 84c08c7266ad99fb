#include "ModuleEngine.h"

#include "DependencyOrderedJobs.h"
#include "Error.h"
#include "KernelErrors.h"
#include "ModprobeRules.h"
#include "ParameterTypes.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <linux/module.h>
#include <map>
#include <set>

namespace kmodd {
namespace {

const LoadedModule* findLoaded(const std::vector<LoadedModule>& loaded, const ModuleName& name) {
    const auto found = std::find_if(loaded.begin(), loaded.end(), [&](const LoadedModule& module) {
        return module.name == name;
    });
    return found == loaded.end() ? nullptr : &*found;
}

// Holders first: naming them tells the user what to unload before this one.
void checkNotInUse(const LoadedModule& module) {
    if (!module.holders.empty()) {
        throw Error(ErrorKind::InUse, "cannot unload " + module.name.str() + ": it is in use by " +
                                          joinNames(module.holders));
    }
    if (module.refcount.value_or(0) > 0) {
        throw Error(ErrorKind::InUse, "cannot unload " + module.name.str() +
                                          ": it is in use (reference count " +
                                          std::to_string(*module.refcount) + ")");
    }
}

unsigned finitFlags(LoadFlags flags) {
    return (flags.ignoreModversions ? MODULE_INIT_IGNORE_MODVERSIONS : 0U) |
           (flags.ignoreVermagic ? MODULE_INIT_IGNORE_VERMAGIC : 0U);
}

// For each plan, the earlier plans it shares a module with (the requested one, a dependency or
// a soft dependency): it must not start before them.
std::vector<std::vector<std::size_t>>
earlierPlansSharingAModule(const std::vector<LoadPlan>& plans) {
    std::vector<std::set<ModuleName>> modules;
    for (const auto& plan : plans) {
        auto& names = modules.emplace_back(std::set<ModuleName>{plan.resolution.name});
        for (const auto& module : plan.modules) {
            names.insert(module.file.name);
        }
    }
    std::vector<std::vector<std::size_t>> waitsFor(plans.size());
    for (std::size_t later = 0; later < plans.size(); ++later) {
        for (std::size_t earlier = 0; earlier < later; ++earlier) {
            if (std::any_of(
                    modules[later].begin(), modules[later].end(),
                    [&](const ModuleName& name) { return modules[earlier].contains(name); })) {
                waitsFor[later].push_back(earlier);
            }
        }
    }
    return waitsFor;
}

} // namespace

// What the kernel refused during one loadAll(): asking it again would only take the time again.
struct ModuleEngine::Refusals {
    std::mutex mutex;
    std::map<ModuleName, Error> byModule;

    void throwIfRefused(const ModuleName& module) {
        std::lock_guard lock(mutex);
        if (const auto found = byModule.find(module); found != byModule.end()) {
            throw found->second;
        }
    }
    void remember(const ModuleName& module, const Error& error) {
        std::lock_guard lock(mutex);
        byModule.try_emplace(module, error);
    }
};

std::string LoadPlan::key() const {
    return "load " + resolution.name.str() + " " + std::to_string(finitFlags(flags)) + " " +
           parameters.kernelString();
}

std::vector<ModuleFile> LoadPlan::filesToCheck() const {
    std::vector<ModuleFile> files;
    for (const auto& module : modules) {
        if (!module.loadedWhenPlanned) {
            files.push_back(module.file);
        }
    }
    return files;
}

std::string UnloadPlan::key() const {
    return "unload " + module.str();
}

ModuleEngine::ModuleEngine(Kernel& kernel, ModuleIndex& index, Config config,
                           std::shared_ptr<spdlog::logger> logger)
    : kernel_(kernel), index_(index), logger_(std::move(logger)) {
    setConfig(std::move(config));
}

void ModuleEngine::setConfig(Config config) {
    Policy policy(config);
    auto settings = std::make_shared<const EngineSettings>(
        EngineSettings{std::move(config), std::move(policy)});
    std::lock_guard lock(settingsMutex_);
    settings_ = std::move(settings);
}

std::shared_ptr<const EngineSettings> ModuleEngine::settings() const {
    std::lock_guard lock(settingsMutex_);
    return settings_;
}

std::shared_ptr<const Config> ModuleEngine::config() const {
    auto settings = this->settings();
    return {settings, &settings->config};
}

namespace {

ParameterList defaultsFor(const Config& config, const ModuleName& module) {
    const auto found = config.defaultParameters.find(module);
    return found == config.defaultParameters.end() ? ParameterList{} : found->second;
}

// The parameters' names and types against what the file declares.
void checkParameters(const ModuleName& module, const ParameterList& parameters,
                     const ModInfo& modinfo) {
    parameters.checkDeclared(module, modinfo.declaredParameters());
    checkParameterTypes(module, parameters, modinfo.declaredParameterTypes());
}

// Why a soft dependency of dependent is not loaded, as the reply and the journal say it.
SkippedModule skippedSoftDependency(const ModuleName& softDependency, const ModuleName& dependent,
                                    const std::string& why) {
    return {softDependency, "soft dependency " + softDependency.str() + " of " + dependent.str() +
                                " is not loaded: " + why};
}

// Leaves a soft dependency out of the plan with everything it brought, saying why.
void skipSoftDependency(LoadPlan& plan, const ModuleName& softDependency, const std::string& error,
                        std::vector<SkippedModule>& skipped) {
    std::erase_if(plan.modules, [&](const PlannedModule& module) {
        return module.softDependency == softDependency;
    });
    skipped.push_back(skippedSoftDependency(softDependency, plan.resolution.name, error));
}

} // namespace

ParameterList ModuleEngine::layeredParameters(const Config& config, const ModuleName& module,
                                              const ModprobeRules& rules,
                                              const ParameterList& requested) {
    return ParameterList::parseOptions(module, rules.options)
        .mergedWith(module, defaultsFor(config, module))
        .mergedWith(module, requested);
}

// What prepareLoad carries from module to module.
struct ModuleEngine::Planning {
    LoadPlan& plan;
    const EngineSettings& settings;
    const std::vector<LoadedModule>& loaded;
    std::set<ModuleName> visited; ///< planned, or being planned, once each
};

LoadPlan ModuleEngine::prepareLoad(const LoadRequest& request) const {
    return prepareLoad(request, kernel_.loadedModules());
}

LoadPlan ModuleEngine::prepareLoad(const LoadRequest& request,
                                   const std::vector<LoadedModule>& loaded) const {
    const auto settings = this->settings();
    LoadPlan plan{index_.resolve(validateRequestedName(request.name)),
                  {},
                  request.flags,
                  LoadStatus::Loaded,
                  {},
                  {}};
    const ModuleName& target = plan.resolution.name;
    settings->policy.checkLoad(plan.resolution);
    plan.parameters =
        layeredParameters(settings->config, target, index_.rulesOf(target), request.parameters);
    if (plan.resolution.builtin) {
        plan.status = LoadStatus::BuiltIn;
        return plan;
    }
    if (findLoaded(loaded, target)) {
        plan.status = LoadStatus::AlreadyLoaded;
        return plan;
    }
    Planning planning{plan, *settings, loaded, {}};
    // The module and its dependencies load where modules.dep puts them, never as a softdep.
    for (const auto& file : plan.resolution.loadOrder) {
        planning.visited.insert(file.name);
    }
    planModules(planning, plan.resolution.loadOrder, std::nullopt);
    return plan;
}

// modprobe's order (libkmod's kmod_module_get_probe_list): every module of the load order
// preceded by its pre softdeps and followed by its post softdeps, each softdep with its own.
void ModuleEngine::planModules(Planning& planning, const std::vector<ModuleFile>& loadOrder,
                               const std::optional<ModuleName>& softDependency) const {
    for (const auto& file : loadOrder) {
        if (softDependency && !planning.visited.insert(file.name).second) {
            continue;
        }
        const ModprobeRules rules = index_.rulesOf(file.name);
        for (const auto& pre : rules.pre) {
            planSoftDependency(planning, pre, file.name, softDependency);
        }
        planModule(planning, file, rules, softDependency);
        for (const auto& post : rules.post) {
            planSoftDependency(planning, post, file.name, softDependency);
        }
    }
}

void ModuleEngine::planSoftDependency(Planning& planning, const ModuleName& module,
                                      const ModuleName& dependent,
                                      const std::optional<ModuleName>& enclosing) const {
    if (planning.visited.contains(module)) {
        return;
    }
    LoadPlan& plan = planning.plan;
    const std::size_t planned = plan.modules.size();
    try {
        const Resolution resolution = index_.resolve(module.str());
        planning.settings.policy.checkLoad(resolution);
        // A softdep of a softdep loads, and fails, with the one that brought it.
        if (!resolution.builtin) {
            planModules(planning, resolution.loadOrder, enclosing.value_or(resolution.name));
        }
    } catch (const Error& error) {
        // Whatever this softdep brought along is left out with it.
        plan.modules.erase(plan.modules.begin() + static_cast<std::ptrdiff_t>(planned),
                           plan.modules.end());
        plan.skipped.push_back(skippedSoftDependency(module, dependent, error.what()));
        logger_->info("{}", plan.skipped.back().reason);
    }
}

void ModuleEngine::planModule(Planning& planning, const ModuleFile& file,
                              const ModprobeRules& rules,
                              const std::optional<ModuleName>& softDependency) const {
    LoadPlan& plan = planning.plan;
    const bool loaded = findLoaded(planning.loaded, file.name) != nullptr;
    // As modprobe, which runs no command for a module that is loaded already.
    if (!loaded) {
        checkNoCommand(file.name, rules, false, index_.configDirectories());
    }
    const bool isTarget = file.name == plan.resolution.name;
    ParameterList parameters =
        isTarget ? plan.parameters
                 : layeredParameters(planning.settings.config, file.name, rules, ParameterList{});
    plan.modules.push_back({file, std::move(parameters), softDependency, loaded, nullptr});
}

void ModuleEngine::checkFacts(LoadPlan& plan, const std::vector<ModuleFactsOrError>& facts) const {
    std::vector<std::pair<ModuleName, std::string>> failed; ///< soft dependency, why
    const auto hasFailed = [&](const ModuleName& softDependency) {
        return std::any_of(failed.begin(), failed.end(),
                           [&](const auto& entry) { return entry.first == softDependency; });
    };
    auto next = facts.begin();
    for (auto& module : plan.modules) {
        if (module.loadedWhenPlanned) {
            continue;
        }
        if (next == facts.end()) {
            throw Error(ErrorKind::Failed, "cannot load " + plan.resolution.name.str() +
                                               ": the facts of " + module.file.path.string() +
                                               " are missing");
        }
        const ModuleFactsOrError& outcome = *next++;
        if (module.softDependency && hasFailed(*module.softDependency)) {
            continue;
        }
        try {
            if (const auto* error = std::get_if<Error>(&outcome)) {
                throw *error;
            }
            module.facts = std::get<0>(outcome);
            checkParameters(module.file.name, module.parameters, module.facts->modinfo);
        } catch (const Error& error) {
            if (!module.softDependency) {
                throw;
            }
            failed.emplace_back(*module.softDependency, error.what());
        }
    }
    for (const auto& [softDependency, why] : failed) {
        skipSoftDependency(plan, softDependency, why, plan.skipped);
        logger_->info("{}", plan.skipped.back().reason);
    }
}

LoadReport ModuleEngine::describe(const LoadPlan& plan) const {
    LoadReport report{plan.resolution.name, LoadStatus::DryRun, {}, {}, plan.skipped};
    for (const auto& module : plan.modules) {
        report.modules.push_back(
            {module.file.name, module.file.path, module.parameters.kernelString(),
             module.loadedWhenPlanned ? ModuleOutcome::AlreadyLoaded : ModuleOutcome::ToInsert});
    }
    return report;
}

std::vector<ModuleEngine::OpenedModule>
ModuleEngine::openFiles(LoadPlan& plan, const EngineSettings& settings,
                        const std::vector<LoadedModule>& loaded,
                        std::vector<SkippedModule>& skipped) const {
    // A soft dependency the policy in force no longer allows is left out before anything opens.
    std::map<ModuleName, Resolution> softDependencies;
    for (const auto& module : plan.modules) {
        if (module.softDependency) {
            auto [entry, added] = softDependencies.try_emplace(
                *module.softDependency,
                Resolution{module.softDependency->str(), *module.softDependency, false, {}});
            entry->second.loadOrder.push_back(module.file);
        }
    }
    for (const auto& [softDependency, resolution] : softDependencies) {
        try {
            settings.policy.checkLoad(resolution);
        } catch (const Error& error) {
            skipSoftDependency(plan, softDependency, error.what(), skipped);
        }
    }
    const std::string kernelCompression = kernel_.compression();
    std::vector<OpenedModule> opened;
    for (const PlannedModule& module : plan.modules) {
        const bool isTarget = module.file.name == plan.resolution.name;
        if (!isTarget && findLoaded(loaded, module.file.name)) {
            opened.push_back({&module, std::nullopt});
            continue;
        }
        try {
            ModuleImage image =
                openModuleImage(settings.config.trustedPaths, module.file, kernelCompression);
            // The file checked before authorization may have been replaced since: check what
            // is loaded.
            if (!module.facts || module.facts->identity != image.identity) {
                checkParameters(module.file.name, module.parameters, readModInfo(image));
            }
            opened.push_back({&module, std::move(image)});
        } catch (const Error& error) {
            if (!module.softDependency) {
                throw;
            }
            // Start again without it: the plan's modules move, and what it brought goes too.
            const ModuleName softDependency = *module.softDependency;
            skipSoftDependency(plan, softDependency, error.what(), skipped);
            return openFiles(plan, settings, loaded, skipped);
        }
    }
    const bool forced = finitFlags(plan.flags) != 0;
    const auto target = std::find_if(opened.begin(), opened.end(), [&](const OpenedModule& module) {
        return module.planned->file.name == plan.resolution.name;
    });
    if (forced && target != opened.end() && target->image && !target->image->image.empty()) {
        const ModuleImage& image = *target->image;
        throw Error(ErrorKind::InvalidArgument,
                    "cannot force-load " + plan.resolution.name.str() + ": the kernel cannot " +
                        "decompress " + image.file.path.string() + " (" +
                        image.kernelCannotDecompress +
                        "), and forcing is only possible through finit_module");
    }
    return opened;
}

LoadReport ModuleEngine::load(LoadPlan& plan) {
    return loadPlan(plan, nullptr);
}

std::vector<LoadResult> ModuleEngine::loadAll(std::vector<LoadPlan>& plans, std::size_t workers) {
    {
        // Once for the run: a list read by one plan may predate what another plan inserted.
        const auto loaded = kernel_.loadedModules();
        std::lock_guard lock(insertionsMutex_);
        insertions_.forgetModulesNotIn(loaded);
    }
    Refusals refusals;
    std::vector<std::optional<LoadResult>> outcomes(plans.size());
    runInDependencyOrder(earlierPlansSharingAModule(plans), workers, [&](std::size_t index) {
        try {
            outcomes[index].emplace(std::in_place_index<0>, loadPlan(plans[index], &refusals));
        } catch (const Error& error) {
            outcomes[index].emplace(std::in_place_index<1>, error);
        } catch (const std::exception& error) {
            outcomes[index].emplace(std::in_place_index<1>, Error(ErrorKind::Failed, error.what()));
        }
    });
    std::vector<LoadResult> results;
    results.reserve(outcomes.size());
    for (auto& outcome : outcomes) {
        results.push_back(std::move(*outcome));
    }
    return results;
}

LoadReport ModuleEngine::loadPlan(LoadPlan& plan, Refusals* run) {
    // The config may have changed while the request waited for polkit and the queue.
    const auto settings = this->settings();
    settings->policy.checkLoad(plan.resolution);
    LoadReport report{plan.resolution.name, plan.status, {}, {}, plan.skipped};
    // As modprobe does, looks at what is loaded now, not when the plan was made, to skip the
    // dependencies loaded meanwhile; a plan without dependencies has nothing to skip.
    const auto loaded =
        plan.modules.size() > 1 ? kernel_.loadedModules() : std::vector<LoadedModule>{};
    if (!loaded.empty() && !run) {
        std::lock_guard lock(insertionsMutex_);
        insertions_.forgetModulesNotIn(loaded);
    }
    // Every file is opened and checked before the first insert, so that a bad file inserts
    // nothing.
    const std::vector<OpenedModule> opened = openFiles(plan, *settings, loaded, report.skipped);
    std::optional<ModuleName> failedSoftDependency;
    for (const auto& [module, image] : opened) {
        const ModuleName& name = module->file.name;
        const bool isTarget = name == plan.resolution.name;
        if (module->softDependency && module->softDependency == failedSoftDependency) {
            continue;
        }
        PlanEntry entry{name, module->file.path, module->parameters.kernelString(),
                        ModuleOutcome::AlreadyLoaded};
        if (!image) {
            report.modules.push_back(std::move(entry));
            continue;
        }
        try {
            if (run) {
                run->throwIfRefused(name);
            }
            if (insert(*image, module->parameters, isTarget ? plan.flags : LoadFlags{})) {
                entry.outcome = ModuleOutcome::Inserted;
                report.inserted.push_back(name);
            } else if (isTarget) {
                report.status = LoadStatus::AlreadyLoaded;
            }
            report.modules.push_back(std::move(entry));
        } catch (const Error& error) {
            if (run) {
                run->remember(name, error);
            }
            if (!module->softDependency && report.inserted.empty()) {
                throw;
            }
            if (!module->softDependency) {
                throw Error(error.kind(),
                            std::string(error.what()) + "; " + removeAgain(report.inserted));
            }
            // A softdep that fails takes back what it brought and does not fail the request.
            failedSoftDependency = module->softDependency;
            std::vector<ModuleName> brought;
            for (const auto& planned : plan.modules) {
                if (planned.softDependency == module->softDependency &&
                    std::find(report.inserted.begin(), report.inserted.end(), planned.file.name) !=
                        report.inserted.end()) {
                    brought.push_back(planned.file.name);
                }
            }
            std::erase_if(report.inserted, [&](const ModuleName& inserted) {
                return std::find(brought.begin(), brought.end(), inserted) != brought.end();
            });
            std::erase_if(report.modules, [&](const PlanEntry& done) {
                return std::find(brought.begin(), brought.end(), done.module) != brought.end();
            });
            SkippedModule skipped =
                skippedSoftDependency(*module->softDependency, plan.resolution.name, error.what());
            if (!brought.empty()) {
                skipped.reason += "; " + removeAgain(brought);
            }
            logger_->warn("{}", skipped.reason);
            report.skipped.push_back(std::move(skipped));
        }
    }
    if (!report.inserted.empty()) {
        std::lock_guard lock(insertionsMutex_);
        insertions_.recordLoad(plan.resolution.name, report.inserted);
    }
    return report;
}

std::string ModuleEngine::removeAgain(const std::vector<ModuleName>& inserted) {
    std::vector<ModuleName> removed;
    std::vector<ModuleName> kept;
    for (auto module = inserted.rbegin(); module != inserted.rend(); ++module) {
        logger_->debug("delete_module {} O_NONBLOCK (removing again)", module->str());
        (kernel_.deleteModule(*module, O_NONBLOCK) == 0 ? removed : kept).push_back(*module);
    }
    std::string sentence;
    if (!removed.empty()) {
        sentence = "removed again what this request had inserted: " + joinNames(removed);
    }
    if (!kept.empty()) {
        sentence += (sentence.empty() ? "" : "; ") + std::string("could not remove again: ") +
                    joinNames(kept);
    }
    return sentence;
}

bool ModuleEngine::insert(const ModuleImage& module, const ParameterList& parameters,
                          LoadFlags flags) {
    const std::string arguments = parameters.kernelString();
    int errnum = 0;
    if (module.image.empty()) {
        const unsigned finit =
            finitFlags(flags) | (module.kernelDecompresses ? MODULE_INIT_COMPRESSED_FILE : 0U);
        logger_->debug("finit_module {} '{}' flags {:#x}", module.file.path.string(), arguments,
                       finit);
        errnum = kernel_.finitModule(module.fd.get(), arguments, finit);
    } else {
        logger_->info("the kernel cannot decompress {}: {}; decompressing in kmodd for init_module",
                      module.file.path.string(), module.kernelCannotDecompress);
        logger_->debug("init_module {} ({} bytes decompressed from {}) '{}'",
                       module.file.path.string(), module.image.size(),
                       compressionName(module.compression), arguments);
        errnum = kernel_.initModule(module.image, arguments);
    }
    if (errnum == EEXIST) {
        return false;
    }
    if (errnum == EINVAL && !arguments.empty()) {
        // The kernel does not say which value it refused: show the user what it was given.
        const Error error = kernelError(KernelOperation::Load, module.file.name.str(), errnum);
        throw Error(error.kind(), std::string(error.what()) + " (parameters: " + arguments + ")");
    }
    if (errnum == EPERM || errnum == ENOKEY || errnum == EKEYREJECTED || errnum == EBADMSG) {
        throw loadRefusal(module.file.name.str(), errnum, kernel_.moduleRestrictions());
    }
    if (errnum != 0) {
        throw kernelError(KernelOperation::Load, module.file.name.str(), errnum);
    }
    return true;
}

ModuleName ModuleEngine::loadedModuleFor(const std::string& requested,
                                         const std::vector<LoadedModule>& loaded) const {
    // Like modprobe -r, a name that is not loaded may still be an alias of one that is.
    try {
        const ModuleName name = ModuleName::parse(requested);
        if (findLoaded(loaded, name)) {
            return name;
        }
    } catch (const Error&) {
    }
    ModuleName resolved = [&] {
        try {
            return index_.resolve(requested).name;
        } catch (const Error& error) {
            if (error.kind() != ErrorKind::NotFound) {
                throw;
            }
            throw Error(ErrorKind::NotFound, "cannot unload " + requested + ": it is not loaded");
        }
    }();
    if (!findLoaded(loaded, resolved)) {
        const bool builtin = kernel_.moduleParameters(resolved).has_value();
        throw Error(builtin ? ErrorKind::KernelRejected : ErrorKind::NotFound,
                    "cannot unload " + requested + ": " +
                        (builtin ? "it is built into the kernel" : "it is not loaded"));
    }
    return resolved;
}

UnloadPlan ModuleEngine::prepareUnload(std::string_view name, bool keepDependencies) const {
    const std::string requested = validateRequestedName(name);
    const auto loaded = kernel_.loadedModules();
    UnloadPlan plan{loadedModuleFor(requested, loaded), keepDependencies};
    settings()->policy.checkUnload(plan.module);
    checkNoCommand(plan.module, index_.rulesOf(plan.module), true, index_.configDirectories());
    checkNotInUse(*findLoaded(loaded, plan.module));
    return plan;
}

UnloadReport ModuleEngine::unload(const UnloadPlan& plan) {
    // The config may have changed, and the module may have gained holders or gone, while the
    // request waited for polkit and the queue.
    settings()->policy.checkUnload(plan.module);
    auto loaded = kernel_.loadedModules();
    std::unique_lock insertionsLock(insertionsMutex_);
    insertions_.forgetModulesNotIn(loaded);
    insertionsLock.unlock();
    const LoadedModule* module = findLoaded(loaded, plan.module);
    if (!module) {
        throw Error(ErrorKind::NotFound,
                    "cannot unload " + plan.module.str() + ": it is not loaded");
    }
    checkNotInUse(*module);
    logger_->debug("delete_module {} O_NONBLOCK", plan.module.str());
    if (const int errnum = kernel_.deleteModule(plan.module, O_NONBLOCK); errnum != 0) {
        throw kernelError(KernelOperation::Unload, plan.module.str(), errnum);
    }
    UnloadReport report{plan.module, {plan.module}};
    insertionsLock.lock();
    const auto inserted = insertions_.insertedFor(plan.module);
    insertions_.forget(plan.module);
    insertionsLock.unlock();
    if (plan.keepDependencies) {
        return report;
    }
    // Only what this module's load inserted, and only once nothing uses it any more. As with
    // modprobe -r, a dependency's remove rule does not apply (and the index is the loop
    // thread's: not to be read here).
    for (auto dependency = inserted.rbegin(); dependency != inserted.rend(); ++dependency) {
        loaded = kernel_.loadedModules();
        const LoadedModule* candidate = findLoaded(loaded, *dependency);
        if (!candidate || !candidate->holders.empty() || candidate->refcount.value_or(1) != 0) {
            continue;
        }
        logger_->debug("delete_module {} O_NONBLOCK (inserted with {})", dependency->str(),
                       plan.module.str());
        if (kernel_.deleteModule(*dependency, O_NONBLOCK) == 0) {
            report.unloaded.push_back(*dependency);
        }
    }
    return report;
}

} // namespace kmodd

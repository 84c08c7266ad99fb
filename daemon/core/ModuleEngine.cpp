#include "ModuleEngine.h"

#include "Error.h"
#include "KernelErrors.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <linux/module.h>

namespace kmodd {
namespace {

const LoadedModule* findLoaded(const std::vector<LoadedModule>& loaded, const ModuleName& name) {
    const auto found = std::find_if(loaded.begin(), loaded.end(), [&](const LoadedModule& module) {
        return module.name == name;
    });
    return found == loaded.end() ? nullptr : &*found;
}

std::string joinNames(const std::vector<ModuleName>& names) {
    std::string joined;
    for (const auto& name : names) {
        joined += (joined.empty() ? "" : ", ") + name.str();
    }
    return joined;
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

} // namespace

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

ParameterList ModuleEngine::defaultsFor(const Config& config, const ModuleName& module) {
    const auto found = config.defaultParameters.find(module);
    return found == config.defaultParameters.end() ? ParameterList{} : found->second;
}

LoadPlan ModuleEngine::prepareLoad(const LoadRequest& request) const {
    const auto settings = this->settings();
    LoadPlan plan{index_.resolve(validateRequestedName(request.name)),
                  {},
                  request.flags,
                  LoadStatus::Loaded,
                  {}};
    const ModuleName& target = plan.resolution.name;
    settings->policy.checkLoad(plan.resolution);
    plan.parameters = defaultsFor(settings->config, target).mergedWith(target, request.parameters);
    if (plan.resolution.builtin) {
        plan.status = LoadStatus::BuiltIn;
        return plan;
    }
    const auto loaded = kernel_.loadedModules();
    if (findLoaded(loaded, target)) {
        plan.status = LoadStatus::AlreadyLoaded;
        return plan;
    }
    for (const auto& file : plan.resolution.loadOrder) {
        const bool isTarget = file.name == target;
        plan.modules.push_back(
            {file, isTarget ? plan.parameters : defaultsFor(settings->config, file.name),
             !isTarget && findLoaded(loaded, file.name) != nullptr, nullptr});
    }
    return plan;
}

void ModuleEngine::checkFacts(LoadPlan& plan,
                              const std::vector<std::shared_ptr<const ModuleFacts>>& facts) const {
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
        module.facts = *next++;
        module.parameters.checkDeclared(module.file.name,
                                        module.facts->modinfo.declaredParameters());
    }
}

std::vector<ModuleEngine::OpenedModule>
ModuleEngine::openFiles(const LoadPlan& plan, const EngineSettings& settings,
                        const std::vector<LoadedModule>& loaded) const {
    const std::string kernelCompression = kernel_.compression();
    std::vector<OpenedModule> opened;
    for (const auto& module : plan.modules) {
        const bool isTarget = module.file.name == plan.resolution.name;
        if (!isTarget && findLoaded(loaded, module.file.name)) {
            continue;
        }
        ModuleImage image =
            openModuleImage(settings.config.trustedPaths, module.file, kernelCompression);
        // The file checked before authorization may have been replaced since: check what
        // is loaded.
        if (!module.facts || module.facts->identity != image.identity) {
            module.parameters.checkDeclared(module.file.name,
                                            readModInfo(image).declaredParameters());
        }
        opened.push_back({&module, std::move(image)});
    }
    const bool forced = finitFlags(plan.flags) != 0;
    if (forced && !opened.empty() && !opened.back().image.image.empty()) {
        const ModuleImage& target = opened.back().image;
        throw Error(ErrorKind::InvalidArgument,
                    "cannot force-load " + plan.resolution.name.str() + ": the kernel cannot " +
                        "decompress " + target.file.path.string() + " (" +
                        target.kernelCannotDecompress +
                        "), and forcing is only possible through finit_module");
    }
    return opened;
}

LoadReport ModuleEngine::load(LoadPlan& plan) {
    // The config may have changed while the request waited for polkit and the queue.
    const auto settings = this->settings();
    settings->policy.checkLoad(plan.resolution);
    LoadReport report{plan.resolution.name, plan.status, {}};
    // As modprobe does, looks at what is loaded now, not when the plan was made, to skip the
    // dependencies loaded meanwhile; a plan without dependencies has nothing to skip.
    const auto loaded =
        plan.modules.size() > 1 ? kernel_.loadedModules() : std::vector<LoadedModule>{};
    // Every file is opened and checked before the first insert, so that a bad file inserts
    // nothing.
    for (const auto& [planned, image] : openFiles(plan, *settings, loaded)) {
        const bool isTarget = planned->file.name == plan.resolution.name;
        if (insert(image, planned->parameters, isTarget ? plan.flags : LoadFlags{})) {
            report.inserted.push_back(planned->file.name);
        } else if (isTarget) {
            report.status = LoadStatus::AlreadyLoaded;
        }
    }
    return report;
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

UnloadPlan ModuleEngine::prepareUnload(std::string_view name) const {
    const std::string requested = validateRequestedName(name);
    const auto loaded = kernel_.loadedModules();
    UnloadPlan plan{loadedModuleFor(requested, loaded)};
    settings()->policy.checkUnload(plan.module);
    checkNotInUse(*findLoaded(loaded, plan.module));
    return plan;
}

void ModuleEngine::unload(const UnloadPlan& plan) {
    // The config may have changed, and the module may have gained holders or gone, while the
    // request waited for polkit and the queue.
    settings()->policy.checkUnload(plan.module);
    const auto loaded = kernel_.loadedModules();
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
}

} // namespace kmodd

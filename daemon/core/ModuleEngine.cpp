#include "ModuleEngine.h"

#include "Error.h"
#include "KernelErrors.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
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

std::string UnloadPlan::key() const {
    return "unload " + module.str();
}

ModuleEngine::ModuleEngine(Kernel& kernel, ModuleIndex& index, Config config,
                           std::shared_ptr<spdlog::logger> logger)
    : kernel_(kernel), index_(index), config_(std::move(config)), policy_(config_),
      logger_(std::move(logger)) {}

void ModuleEngine::setConfig(Config config) {
    Policy policy(config);
    config_ = std::move(config);
    policy_ = std::move(policy);
}

ParameterList ModuleEngine::defaultsFor(const ModuleName& module) const {
    const auto found = config_.defaultParameters.find(module);
    return found == config_.defaultParameters.end() ? ParameterList{} : found->second;
}

LoadPlan ModuleEngine::prepareLoad(const LoadRequest& request) const {
    LoadPlan plan{index_.resolve(validateRequestedName(request.name)),
                  {},
                  request.flags,
                  LoadStatus::Loaded,
                  {}};
    const ModuleName& target = plan.resolution.name;
    policy_.checkLoad(plan.resolution);
    plan.parameters = defaultsFor(target).mergedWith(target, request.parameters);
    if (plan.resolution.builtin) {
        plan.status = LoadStatus::BuiltIn;
        return plan;
    }
    const auto loaded = kernel_.loadedModules();
    if (findLoaded(loaded, target)) {
        plan.status = LoadStatus::AlreadyLoaded;
        return plan;
    }
    const std::string kernelCompression = kernel_.compression();
    for (const auto& file : plan.resolution.loadOrder) {
        try {
            ModuleImage image = openModuleImage(config_.trustedPaths, file, kernelCompression);
            const bool isTarget = file.name == target;
            ParameterList parameters = isTarget ? plan.parameters : defaultsFor(file.name);
            parameters.checkDeclared(file.name, image.modinfo.declaredParameters());
            plan.modules.push_back({std::move(image), std::move(parameters)});
        } catch (const Error&) {
            // A loaded dependency needs no file, unless it is unloaded before the plan runs.
            if (!findLoaded(loaded, file.name)) {
                throw;
            }
        }
    }
    const bool forced = finitFlags(plan.flags) != 0;
    if (forced && !plan.modules.empty() && !plan.modules.back().image.image.empty()) {
        throw Error(ErrorKind::InvalidArgument,
                    "cannot force-load " + target.str() + ": " +
                        plan.modules.back().image.file.path.string() +
                        " is compressed in a format the kernel cannot decompress, and forcing "
                        "is only possible through finit_module");
    }
    return plan;
}

LoadReport ModuleEngine::load(LoadPlan& plan) {
    LoadReport report{plan.resolution.name, plan.status, {}};
    // As modprobe does, looks at what is loaded now, not when the plan was made, to skip the
    // dependencies loaded meanwhile; a plan without dependencies has nothing to skip.
    const auto loaded =
        plan.modules.size() > 1 ? kernel_.loadedModules() : std::vector<LoadedModule>{};
    for (const auto& module : plan.modules) {
        const bool isTarget = module.image.file.name == plan.resolution.name;
        if (!isTarget && findLoaded(loaded, module.image.file.name)) {
            continue;
        }
        if (insert(module.image, module.parameters, isTarget ? plan.flags : LoadFlags{})) {
            report.inserted.push_back(module.image.file.name);
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
        if (errnum == EINVAL && finit == MODULE_INIT_COMPRESSED_FILE) {
            // The kernel's decompressors take less than kmodd's (its xz no CRC64 or SHA-256
            // check) and refuse the rest with EINVAL: init_module takes what kmodd decompresses.
            logger_->warn("finit_module refused the {}-compressed {} ({}), as the kernel does a "
                          "file it cannot decompress: decompressing it in kmodd for init_module",
                          compressionName(module.compression), module.file.path.string(),
                          std::strerror(errnum));
            errnum = kernel_.initModule(decompressedImage(module), arguments);
        }
    } else {
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
    policy_.checkUnload(plan.module);
    checkNotInUse(*findLoaded(loaded, plan.module));
    return plan;
}

void ModuleEngine::unload(const UnloadPlan& plan) {
    // The module may have gained holders, or gone, while the request waited in the queue.
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

#pragma once

#include "Config.h"
#include "Kernel.h"
#include "ModuleImage.h"
#include "ModuleIndex.h"
#include "Parameters.h"
#include "Policy.h"

#include <memory>
#include <spdlog/logger.h>
#include <string>
#include <string_view>
#include <vector>

namespace kmodd {

/// finit_module flags a request may ask for (modprobe --force-vermagic / --force-modversion).
struct LoadFlags {
    bool ignoreVermagic = false;
    bool ignoreModversions = false;

    bool operator==(const LoadFlags&) const = default;
};

struct LoadRequest {
    std::string name; ///< module name or alias, as the caller wrote it
    ParameterList parameters;
    LoadFlags flags;
};

enum class LoadStatus { Loaded, AlreadyLoaded, BuiltIn };

/// One module to insert and the parameters it gets.
struct PlannedModule {
    ModuleImage image;
    ParameterList parameters; ///< its YAML defaults; for the requested module, merged with the
                              ///< request's own parameters
};

/// A load that passed every check and holds the opened files; what remains is the kernel.
struct LoadPlan {
    Resolution resolution;
    ParameterList parameters; ///< what the requested module gets (defaults merged with request)
    LoadFlags flags;          ///< applied to the requested module only
    LoadStatus status = LoadStatus::Loaded; ///< AlreadyLoaded/BuiltIn: nothing to insert
    /// The load order's modules, opened and checked; a dependency loaded already is left out
    /// only if its file fails a check. load() skips those loaded by the time it runs.
    std::vector<PlannedModule> modules;

    /// Key under which identical concurrent requests share one result.
    std::string key() const;
};

struct LoadReport {
    ModuleName module;
    LoadStatus status;
    std::vector<ModuleName> inserted; ///< every module this load put into the kernel, in order
};

struct UnloadPlan {
    ModuleName module;
    std::string key() const;
};

/// The module engine: turns requests into checked plans, then plans into kernel operations.
/// prepare* run on the caller's thread (they use the libkmod index and the config);
/// load/unload run on the kernel queue's thread and touch only the plan and the Kernel.
class ModuleEngine {
  public:
    ModuleEngine(Kernel& kernel, ModuleIndex& index, Config config,
                 std::shared_ptr<spdlog::logger> logger);

    /// Replaces the config and the policy derived from it.
    void setConfig(Config config);
    const Config& config() const noexcept { return config_; }
    const Policy& policy() const noexcept { return policy_; }

    /// Reopens the module index if depmod or a modprobe.d change made it stale: once per request,
    /// before its prepare* calls, so that the request sees what modprobe would see.
    void reloadIndexIfChanged() const { index_.reloadIfChanged(); }

    /// Validates the name, resolves it, checks the policy, merges the YAML defaults, opens and
    /// checks every file of the load order (dependencies loaded already too, in case they are
    /// unloaded meanwhile) and refuses undeclared parameters. Throws Error.
    LoadPlan prepareLoad(const LoadRequest& request) const;

    /// Inserts the plan's modules in order, skipping dependencies loaded now. EEXIST counts as
    /// success. Throws Error; modules inserted before a failure stay loaded and are named in
    /// the log.
    LoadReport load(LoadPlan& plan);

    /// Validates the name, checks the policy, that the module is loaded and has no holders.
    UnloadPlan prepareUnload(std::string_view name) const;

    /// delete_module with O_NONBLOCK after checking holders and refcount again. Throws Error.
    void unload(const UnloadPlan& plan);

  private:
    /// Returns false when the kernel already had the module (EEXIST).
    bool insert(const ModuleImage& module, const ParameterList& parameters, LoadFlags flags);
    ParameterList defaultsFor(const ModuleName& module) const;
    ModuleName loadedModuleFor(const std::string& requested,
                               const std::vector<LoadedModule>& loaded) const;

    Kernel& kernel_;
    ModuleIndex& index_;
    Config config_;
    Policy policy_;
    std::shared_ptr<spdlog::logger> logger_;
};

} // namespace kmodd

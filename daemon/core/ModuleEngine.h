#pragma once

#include "Config.h"
#include "Kernel.h"
#include "ModuleFacts.h"
#include "ModuleImage.h"
#include "ModuleIndex.h"
#include "Parameters.h"
#include "Policy.h"

#include <memory>
#include <mutex>
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

/// One module of a load order and the parameters it gets. No file is open: the files are
/// opened and checked after authorization, when the kernel is called.
struct PlannedModule {
    ModuleFile file;
    ParameterList parameters; ///< its YAML defaults; for the requested module, merged with the
                              ///< request's own parameters
    bool loadedWhenPlanned = false; ///< a dependency the kernel had already: not read before
                                    ///< authorization, opened only if unloaded meanwhile
    /// What its parameters were checked against before authorization (checkFacts); null until
    /// then, and for a dependency loaded when planned.
    std::shared_ptr<const ModuleFacts> facts;
};

/// A load that passed the checks made before authorization; it holds no file and no image.
struct LoadPlan {
    Resolution resolution;
    ParameterList parameters; ///< what the requested module gets (defaults merged with request)
    LoadFlags flags;          ///< applied to the requested module only
    LoadStatus status = LoadStatus::Loaded; ///< AlreadyLoaded/BuiltIn: nothing to insert
    /// The load order, dependencies first. load() skips the dependencies loaded by then.
    std::vector<PlannedModule> modules;

    /// Key under which identical concurrent requests share one result.
    std::string key() const;
    /// The files whose facts checkFacts() needs, in plan order: every module but the
    /// dependencies loaded when planned.
    std::vector<ModuleFile> filesToCheck() const;
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

/// The config and the policy derived from it, in force together.
struct EngineSettings {
    Config config;
    Policy policy;
};

/// The module engine: turns requests into checked plans, then plans into kernel operations.
/// prepare* and checkFacts run on the loop's thread (they use the libkmod index) and open no
/// module file; load/unload run on the kernel queue's thread, open and check the plan's files,
/// check the policy in force again and call the Kernel. The config may be replaced from the
/// loop's thread while the queue's thread runs: each operation takes the settings in force
/// when it starts.
class ModuleEngine {
  public:
    ModuleEngine(Kernel& kernel, ModuleIndex& index, Config config,
                 std::shared_ptr<spdlog::logger> logger);

    /// Puts a config (and the policy derived from it) in force. Safe while load/unload run.
    void setConfig(Config config);
    /// The config in force; stays valid, unchanged, as long as it is held.
    std::shared_ptr<const Config> config() const;

    /// Reopens the module index if depmod or a modprobe.d change made it stale: once per request,
    /// before its prepare* calls, so that the request sees what modprobe would see.
    void reloadIndexIfChanged() const { index_.reloadIfChanged(); }

    /// Validates the name, resolves it, checks the policy and merges the YAML defaults. Reads
    /// no module file: the parameters are checked by checkFacts. Throws Error.
    LoadPlan prepareLoad(const LoadRequest& request) const;

    /// Refuses undeclared parameters, each module's against the facts of its file (one per
    /// plan.filesToCheck(), in that order), and keeps the facts in the plan. Throws
    /// Error(InvalidParameter).
    void checkFacts(LoadPlan& plan,
                    const std::vector<std::shared_ptr<const ModuleFacts>>& facts) const;

    /// Checks the policy in force now, opens and checks every file to insert (a file whose
    /// identity is not the one checkFacts saw has its parameters checked again, from the
    /// opened descriptor), then inserts them in order, skipping dependencies loaded now. EEXIST
    /// counts as success. Throws Error; modules inserted before a failure stay loaded and are
    /// named in the log.
    LoadReport load(LoadPlan& plan);

    /// Validates the name, checks the policy, that the module is loaded and has no holders.
    UnloadPlan prepareUnload(std::string_view name) const;

    /// Checks the policy in force now, and holders and refcount again; then delete_module with
    /// O_NONBLOCK. Throws Error.
    void unload(const UnloadPlan& plan);

  private:
    /// Returns false when the kernel already had the module (EEXIST).
    bool insert(const ModuleImage& module, const ParameterList& parameters, LoadFlags flags);
    struct OpenedModule {
        const PlannedModule* planned;
        ModuleImage image;
    };
    /// The plan's files that load() inserts, opened and checked.
    std::vector<OpenedModule> openFiles(const LoadPlan& plan, const EngineSettings& settings,
                                        const std::vector<LoadedModule>& loaded) const;
    std::shared_ptr<const EngineSettings> settings() const;
    static ParameterList defaultsFor(const Config& config, const ModuleName& module);
    ModuleName loadedModuleFor(const std::string& requested,
                               const std::vector<LoadedModule>& loaded) const;

    Kernel& kernel_;
    ModuleIndex& index_;
    mutable std::mutex settingsMutex_;
    std::shared_ptr<const EngineSettings> settings_;
    std::shared_ptr<spdlog::logger> logger_;
};

} // namespace kmodd

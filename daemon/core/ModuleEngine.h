#pragma once

#include "Config.h"
#include "Error.h"
#include "InsertionRecord.h"
#include "Kernel.h"
#include "ModuleFacts.h"
#include "ModuleImage.h"
#include "ModuleIndex.h"
#include "Parameters.h"
#include "Policy.h"

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <spdlog/logger.h>
#include <string>
#include <string_view>
#include <variant>
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

/// DryRun: the plan was made and nothing was loaded.
enum class LoadStatus { Loaded, AlreadyLoaded, BuiltIn, DryRun };

/// One module of a load's plan and the parameters it gets. No file is open: the files are
/// opened and checked after authorization, when the kernel is called.
struct PlannedModule {
    ModuleFile file;
    /// In layers, later wins by name: modprobe.d `options` and the kernel command line, the
    /// YAML defaults, and for the requested module the request's own parameters.
    ParameterList parameters;
    /// The soft dependency it is loaded for (that module or one of its dependencies); nullopt
    /// for the requested module and its dependencies, whose failure fails the request.
    std::optional<ModuleName> softDependency;
    bool loadedWhenPlanned = false; ///< the kernel had it: not read before authorization,
                                    ///< opened only if unloaded meanwhile
    /// What its parameters were checked against before authorization (checkFacts); null until
    /// then, and for a module loaded when planned.
    std::shared_ptr<const ModuleFacts> facts;
};

/// A soft dependency that was not loaded, and why.
struct SkippedModule {
    ModuleName module;
    std::string reason; ///< one sentence

    bool operator==(const SkippedModule&) const = default;
};

/// What happened, or would happen in a dry run, to one module of a load's plan.
enum class ModuleOutcome { Inserted, AlreadyLoaded, ToInsert };

/// One module of a load's plan, in load order, as the reply describes it.
struct PlanEntry {
    ModuleName module;
    std::filesystem::path file;
    std::string parameters; ///< as the kernel gets them
    ModuleOutcome outcome;

    bool operator==(const PlanEntry&) const = default;
};

/// A load that passed the checks made before authorization; it holds no file and no image.
struct LoadPlan {
    Resolution resolution;
    ParameterList parameters;               ///< what the requested module gets (all layers)
    LoadFlags flags;                        ///< applied to the requested module only
    LoadStatus status = LoadStatus::Loaded; ///< AlreadyLoaded/BuiltIn: nothing to insert
    /// The load order's modules, each with its soft dependencies around it in modprobe's order
    /// (pre, the module, post). load() skips the dependencies loaded by then.
    std::vector<PlannedModule> modules;
    std::vector<SkippedModule> skipped; ///< soft dependencies that failed a check

    /// Key under which identical concurrent requests share one result.
    std::string key() const;
    /// The files whose facts checkFacts() needs, in plan order: every module but those loaded
    /// when planned.
    std::vector<ModuleFile> filesToCheck() const;
};

struct LoadReport {
    ModuleName module;
    LoadStatus status;
    std::vector<ModuleName> inserted;   ///< every module this load put into the kernel, in order
    std::vector<PlanEntry> modules;     ///< the plan's modules and what became of each
    std::vector<SkippedModule> skipped; ///< soft dependencies not loaded, and why
};

/// One plan's outcome among several loaded together (ModuleEngine::loadAll).
using LoadResult = std::variant<LoadReport, Error>;

struct UnloadPlan {
    ModuleName module;
    bool keepDependencies = false; ///< leave what kmodd's load of the module inserted with it
    std::string key() const;
};

struct UnloadReport {
    ModuleName module;
    std::vector<ModuleName> unloaded; ///< the module, then what its load had inserted, in order
};

/// The config and the policy derived from it, in force together.
struct EngineSettings {
    Config config;
    Policy policy;
};

/// The module engine: turns requests into checked plans, then plans into kernel operations.
/// prepare*, checkFacts and describe run on the loop's thread (they use the libkmod index) and
/// open no module file; load/unload run on the kernel queue's thread, open and check the plan's
/// files, check the policy in force again and call the Kernel. The config may be replaced from
/// the loop's thread while the queue's thread runs: each operation takes the settings in force
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

    /// Validates the name, resolves it, checks the policy and modprobe.d's install rules, plans
    /// the soft dependencies and layers the parameters. Reads no module file: the parameters
    /// are checked by checkFacts. A soft dependency that fails a check is left out and named in
    /// the plan's skipped. Throws Error.
    LoadPlan prepareLoad(const LoadRequest& request) const;
    /// The same against loadedModules() read once for several plans (the boot list's).
    LoadPlan prepareLoad(const LoadRequest& request, const std::vector<LoadedModule>& loaded) const;
    std::vector<LoadedModule> loadedModules() const { return kernel_.loadedModules(); }

    /// Refuses undeclared parameters and values of the wrong type, each module's against the
    /// facts of its file (one per plan.filesToCheck(), in that order), and keeps the facts in
    /// the plan. A soft dependency whose facts could not be read, or whose parameters fail, is
    /// left out with what it brought and named in skipped. Throws Error.
    void checkFacts(LoadPlan& plan, const std::vector<ModuleFactsOrError>& facts) const;

    /// The plan as a dry run reports it: nothing loaded.
    LoadReport describe(const LoadPlan& plan) const;

    /// Checks the policy in force now, opens and checks every file to insert (a file whose
    /// identity is not the one checkFacts saw has its parameters checked again, from the
    /// opened descriptor), then inserts them in order, skipping dependencies loaded now. EEXIST
    /// counts as success. A soft dependency that fails is removed again and reported as
    /// skipped. Throws Error when the module or one of its dependencies fails, after removing
    /// again, in reverse order, what this load inserted; the error says so.
    LoadReport load(LoadPlan& plan);

    /// Loads the plans (the boot list's) as load() loads each one, with its own result, in plan
    /// order, the plans that share no module concurrently on at most `workers` threads (the
    /// calling thread among them). A plan that shares a module with an earlier one starts once
    /// that one has finished, so that a shared dependency is inserted once, by the earlier
    /// plan, and found loaded by the later one. A module the kernel refused during the run is
    /// not offered to it again: a later plan that needs it fails (or skips it as a soft
    /// dependency) with the same error. With one worker, the plans load one after the other.
    std::vector<LoadResult> loadAll(std::vector<LoadPlan>& plans, std::size_t workers);

    /// Validates the name, checks the policy, modprobe.d's remove rules, that the module is
    /// loaded and has no holders.
    UnloadPlan prepareUnload(std::string_view name, bool keepDependencies = false) const;

    /// Checks the policy in force now, and holders and refcount again; then delete_module with
    /// O_NONBLOCK and, unless the plan keeps them, the modules kmodd's load of it inserted that
    /// are unused now (no holders, refcount 0), in reverse load order. Throws Error.
    UnloadReport unload(const UnloadPlan& plan);

  private:
    struct Planning;
    struct Refusals;
    struct OpenedModule {
        const PlannedModule* planned;
        std::optional<ModuleImage> image; ///< none for a module the kernel has now
    };

    /// load()'s work. Within loadAll(), run holds the kernel's refusals so far; a single load
    /// (run null) also forgets the insertions of modules that have gone since.
    LoadReport loadPlan(LoadPlan& plan, Refusals* run);
    /// Returns false when the kernel already had the module (EEXIST).
    bool insert(const ModuleImage& module, const ParameterList& parameters, LoadFlags flags);
    /// Removes modules (at least one) again, last first; returns the sentence that says how it
    /// went.
    std::string removeAgain(const std::vector<ModuleName>& inserted);
    /// Appends a load order to the plan, each module between its pre and post softdeps.
    void planModules(Planning& planning, const std::vector<ModuleFile>& loadOrder,
                     const std::optional<ModuleName>& softDependency) const;
    void planSoftDependency(Planning& planning, const ModuleName& module,
                            const ModuleName& dependent,
                            const std::optional<ModuleName>& enclosing) const;
    void planModule(Planning& planning, const ModuleFile& file, const ModprobeRules& rules,
                    const std::optional<ModuleName>& softDependency) const;
    /// A module's parameters in layers: modprobe.d and kernel command line, YAML, request.
    static ParameterList layeredParameters(const Config& config, const ModuleName& module,
                                           const ModprobeRules& rules,
                                           const ParameterList& requested);
    /// The plan's modules, in order, with the files of those to insert opened and checked.
    /// A soft dependency that fails here is left out of the plan with what it brought, and
    /// named in skipped.
    std::vector<OpenedModule> openFiles(LoadPlan& plan, const EngineSettings& settings,
                                        const std::vector<LoadedModule>& loaded,
                                        std::vector<SkippedModule>& skipped) const;
    std::shared_ptr<const EngineSettings> settings() const;
    ModuleName loadedModuleFor(const std::string& requested,
                               const std::vector<LoadedModule>& loaded) const;

    Kernel& kernel_;
    ModuleIndex& index_;
    mutable std::mutex settingsMutex_;
    std::shared_ptr<const EngineSettings> settings_;
    std::shared_ptr<spdlog::logger> logger_;
    /// load() and unload() use it on the kernel queue's thread, loadAll() on its workers too.
    mutable std::mutex insertionsMutex_;
    InsertionRecord insertions_; ///< guarded by insertionsMutex_
};

} // namespace kmodd

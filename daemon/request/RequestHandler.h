#pragma once

#include "Authority.h"
#include "Caller.h"
#include "MainThreadDispatcher.h"
#include "ModuleEngine.h"
#include "ModuleFactsCache.h"
#include "RequestAdmission.h"
#include "RequestCounters.h"
#include "RequestLimits.h"
#include "RequestLog.h"
#include "RequestQueue.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kmodd {

/// The kernel queue's result: a load's or an unload's report, or the boot list's results.
using KernelResult = std::variant<LoadReport, UnloadReport, std::vector<LoadResult>>;
using KernelQueue = RequestQueue<KernelResult>;

struct LoadOutcome {
    std::string module; ///< what the name resolved to; empty if it got no further
    std::variant<LoadReport, Error> result;
};

struct UnloadOutcome {
    std::string module; ///< the module unloaded (or refused); empty if not resolved
    std::variant<UnloadReport, Error> result;
};

/// One entry of LoadBootModules' answer.
struct BootResult {
    std::string listed; ///< the name as the boot list has it
    std::string module; ///< what it resolved to, or empty
    std::string result; ///< loaded, already-loaded, builtin, or the error's message
    bool failed = false;

    bool operator==(const BootResult&) const = default;
};

/// Where the configuration is read from, at start and on every reload.
struct ConfigFiles {
    std::filesystem::path mainFile;
    std::filesystem::path dropInDirectory;
};

/// "loaded", "already-loaded", "builtin" or "dry-run", as Load answers.
std::string_view loadStatusName(LoadStatus status);

/// "inserted", "already-loaded" or "to-insert", as Load's plan entries say.
std::string_view moduleOutcomeName(ModuleOutcome outcome);

/// Runs every state-changing request through one order, on the loop's thread:
/// admit (at most requestLimit::requestsPerUid in flight per unprivileged uid) -> parse (flags,
/// parameters) -> validate (ModuleEngine::prepare*: name, policy, modprobe.d's
/// rules, layered parameters; then the declared parameters and their types against the files'
/// facts from the facts cache, which reads off the loop; a dry run's answer is the plan, here)
/// -> authorize (the Authority, unless root or nothing is to be done; at most
/// requestLimit::pendingAuthorizations checks wait at once) -> act (the kernel queue's
/// thread: the policy in force again, open and check the files, the kernel) -> publish (the
/// publish callback refreshes the module table and the bus objects) -> count
/// (RequestCounters) -> answer (the done callback, exactly once) -> log (RequestLog). Until
/// polkit has said yes, a request holds no module file open and no image in memory.
class RequestHandler {
  public:
    using LoadDone = std::function<void(const LoadOutcome&)>;
    using UnloadDone = std::function<void(const UnloadOutcome&)>;
    using ReloadDone = std::function<void(const std::optional<Error>&)>;
    using BootDone = std::function<void(const std::variant<std::vector<BootResult>, Error>&)>;

    static constexpr std::size_t queueCapacity = 256;

    /// Brings the published module table up to date with at least the first n kernel
    /// operations (see kernelOperationsFinished()); must not throw.
    using Publish = std::function<void(std::uint64_t n)>;

    /// publish runs on the loop's thread after each kernel operation, before its answer.
    /// bootLoadWorkers: how many boot list modules may be in the kernel at once (at least 1).
    RequestHandler(ModuleEngine& engine, ModuleFactsCache& facts, Authority& authority,
                   MainThreadDispatcher& dispatcher, RequestLog& log, ConfigFiles configFiles,
                   Publish publish, std::size_t bootLoadWorkers);

    void load(const Caller& caller, const std::string& name,
              const std::map<std::string, std::string>& parameters, std::uint64_t flags,
              LoadDone done);
    void unload(const Caller& caller, const std::string& name, std::uint64_t flags,
                UnloadDone done);
    void reload(const Caller& caller, std::uint64_t flags, ReloadDone done);
    /// Loads the configuration's boot list: each module is validated and authorized as a load
    /// request, one after the other; then they all go to the kernel in one operation of the
    /// kernel queue (ModuleEngine::loadAll), independent ones concurrently on up to
    /// bootLoadWorkers threads; then each is counted as a load request, the list is answered,
    /// and each entry journaled.
    void loadBootModules(const Caller& caller, std::uint64_t flags, BootDone done);

    /// Whether the boot list's kernel operation runs now (and is not stuck): what it changes is
    /// published once it has returned, in one refresh.
    bool loadingBootList() const;

    /// Logs and counts a refused or failed request; whoever calls this sends the answer. Also
    /// for requests refused before they reach the handler (their caller could not be identified).
    void refuse(const RequestRecord& record, const Error& error);

    /// Reads the configuration files again and puts them in force. Throws
    /// Error(ConfigInvalid), and then the old configuration stays.
    void reloadConfig();

    /// Takes no more requests (they get Error(Busy)), answers pending authority checks, fact reads
    /// and the queued kernel operations with Busy, and waits at most grace for the running one.
    /// Their answers are posted to the dispatcher, which the caller then runs. Returns the
    /// operation still running after grace (RequestQueue::stop), if any.
    std::optional<KernelQueue::Running> stop(KernelQueue::Clock::duration grace);

    /// What the kernel is busy with now, for Manager1's KernelOperation property.
    std::optional<KernelQueue::Running> runningKernelOperation() const { return queue_.running(); }

    /// The kernel operations that have returned so far.
    std::uint64_t kernelOperationsFinished() const { return queue_.finished(); }

    /// The outcomes so far, for Manager1's counter properties.
    const RequestCounters& counters() const { return counters_; }

  private:
    struct BootRun;
    using KernelDone = std::function<void(const KernelQueue::Outcome&)>;
    /// What an authorized load does next: insert() for a request of its own; a boot list's
    /// entry waits for the others.
    using Act = std::function<void(const RequestRecord&, const std::shared_ptr<LoadPlan>&,
                                   const LoadDone&)>;
    using Decided = std::function<void(const std::optional<Error>& refusal)>;

    void refuseWhenStopped() const;
    /// A load of its own (bootListLoaded null) first looks if depmod or modprobe.d changed the
    /// module index, reads the loaded modules, and checks the parameters against its files'
    /// facts before authorization. A boot list entry does none of this: the index was read once
    /// for the list, the loaded modules (bootListLoaded) once for the entries prepared in one
    /// turn of the loop (by the first of them, if not yet), and the kernel queue checks the
    /// parameters against the files it opens (root's configuration gives them; a caller passes
    /// none), so that no entry waits for the facts cache's readers; its module's object reads
    /// the facts once published, as for a module loaded outside kmodd.
    void load(const Caller& caller, const std::string& name,
              const std::map<std::string, std::string>& parameters, std::uint64_t flags,
              std::optional<std::vector<LoadedModule>>* bootListLoaded, Act act, LoadDone done);
    /// Decides at once for root, else asks the authority; refusal is nullopt when allowed.
    void authorize(const Caller& caller, Action action, const std::string& module, bool interactive,
                   Decided decided);
    void authorizeLoad(RequestRecord record, const std::shared_ptr<LoadPlan>& plan,
                       bool interactive, const Act& act, const LoadDone& done);
    void insert(const RequestRecord& record, const std::shared_ptr<LoadPlan>& plan,
                const LoadDone& done);
    void remove(const RequestRecord& record, const UnloadPlan& plan, const UnloadDone& done);
    /// When what a kernel operation changed is published: before its answer, so that a bus
    /// client that has the answer has seen the signals too; or right after it, in the same turn
    /// of the loop (so before any other request is read), for a caller on root's socket and for
    /// the boot list, whose caller waits for its modules rather than for their objects.
    enum class Publishing { BeforeAnswer, AfterAnswer };
    static Publishing publishingFor(const Caller& caller);
    void runInKernelQueue(const std::string& key, std::string what, KernelQueue::Work work,
                          KernelDone done, Publishing publishing = Publishing::BeforeAnswer);
    /// Counts a load's outcome, answers it, then journals it.
    void finishLoad(RequestRecord record, std::variant<LoadReport, Error> result,
                    const LoadDone& done);
    /// A load's journal record, for when it follows other answers (the boot list's).
    struct LoadRecord {
        RequestRecord record;
        std::variant<std::string, Error> outcome; ///< the success's summary, or the failure
    };
    LoadRecord answerLoad(RequestRecord record, std::variant<LoadReport, Error> result,
                          const LoadDone& done);
    void writeLoadRecord(const LoadRecord& written);
    void finishUnload(const RequestRecord& record, std::variant<UnloadReport, Error> result,
                      const UnloadDone& done);
    void finishReload(const RequestRecord& record, const std::optional<Error>& error,
                      const ReloadDone& done);
    void loadNextBootModule(const std::shared_ptr<BootRun>& run);
    void insertBootModules(const std::shared_ptr<BootRun>& run);

    ModuleEngine& engine_;
    ModuleFactsCache& facts_;
    Authority& authority_;
    MainThreadDispatcher& dispatcher_;
    RequestLog& log_;
    ConfigFiles configFiles_;
    Publish publish_;
    RequestCounters counters_;
    RequestAdmission admission_{requestLimit::requestsPerUid};
    std::size_t pendingChecks_ = 0; ///< authority checks not answered yet
    std::size_t bootLoadWorkers_;
    std::uint64_t bootRuns_ = 0;   ///< for each boot list's own queue key
    bool bootListLoading_ = false; ///< its kernel operation is queued or running
    bool stopped_ = false;
    /// Last, so that its threads stop before the rest goes. Its watchdog journals a stuck
    /// operation itself: the loop may be the one waiting for it (at shutdown).
    KernelQueue queue_{queueCapacity, requestLimit::stuckKernelOperation,
                       [this](const KernelQueue::Running& running) {
                           log_.stuckKernelOperation(running.what, running.elapsed);
                       }};
};

} // namespace kmodd

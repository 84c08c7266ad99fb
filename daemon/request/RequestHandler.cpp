#include "RequestHandler.h"

#include "BusError.h"
#include "Config.h"
#include "RequestDecoding.h"
#include "WireNames.h"

#include <algorithm>
#include <utility>

namespace kmodd {
namespace {

// The soft dependencies left out, for the journal: they do not fail the request.
std::string skippedSummary(const LoadReport& report) {
    std::string summary;
    for (const auto& skipped : report.skipped) {
        summary += "; " + skipped.reason;
    }
    return summary;
}

std::string loadSummary(const LoadReport& report) {
    switch (report.status) {
    case LoadStatus::AlreadyLoaded:
        return report.module.str() + " is already loaded";
    case LoadStatus::BuiltIn:
        return report.module.str() + " is built into the kernel";
    case LoadStatus::DryRun:
        return "Dry run for " + report.module.str() + ": would insert " +
               std::to_string(std::count_if(report.modules.begin(), report.modules.end(),
                                            [](const PlanEntry& entry) {
                                                return entry.outcome == ModuleOutcome::ToInsert;
                                            })) +
               " module(s), loaded nothing" + skippedSummary(report);
    case LoadStatus::Loaded:
        break;
    }
    std::string summary = "Loaded " + report.module.str();
    if (report.inserted.size() > 1) {
        summary += " (inserted " + joinNames(report.inserted) + ")";
    }
    return summary + skippedSummary(report);
}

// A missing main file is no error, but whoever removed it should read what is in force now.
std::string reloadSummary(const std::filesystem::path& mainFile) {
    if (std::error_code ignored; std::filesystem::exists(mainFile, ignored)) {
        return "Reloaded the configuration";
    }
    return "Reloaded the configuration (" + mainFile.string() +
           " does not exist: the built-in defaults apply)";
}

// done, holding the request's place among those in flight until it has run.
template <class Done> Done holding(std::shared_ptr<RequestAdmission::Ticket> ticket, Done done) {
    return [ticket = std::move(ticket), done = std::move(done)](const auto& outcome) {
        done(outcome);
    };
}

BootResult bootResult(const std::string& listed, const LoadOutcome& outcome) {
    if (const auto* report = std::get_if<LoadReport>(&outcome.result)) {
        return {listed, outcome.module, std::string(loadStatusName(report->status)), false};
    }
    return {listed, outcome.module, std::get<Error>(outcome.result).what(), true};
}

} // namespace

std::string_view loadStatusName(LoadStatus status) {
    switch (status) {
    case LoadStatus::Loaded:
        return wire::loadResult::loaded;
    case LoadStatus::AlreadyLoaded:
        return wire::loadResult::alreadyLoaded;
    case LoadStatus::BuiltIn:
        return wire::loadResult::builtin;
    case LoadStatus::DryRun:
        return wire::loadResult::dryRun;
    }
    return wire::loadResult::loaded;
}

std::string_view moduleOutcomeName(ModuleOutcome outcome) {
    switch (outcome) {
    case ModuleOutcome::Inserted:
        return wire::planOutcome::inserted;
    case ModuleOutcome::AlreadyLoaded:
        return wire::planOutcome::alreadyLoaded;
    case ModuleOutcome::ToInsert:
        return wire::planOutcome::toInsert;
    }
    return wire::planOutcome::inserted;
}

struct RequestHandler::BootRun {
    /// An entry that passed validation and authorization, waiting for the kernel operation.
    struct Authorized {
        RequestRecord record;
        std::shared_ptr<LoadPlan> plan;
        LoadDone done;
    };

    Caller caller;
    std::uint64_t flags = 0;
    std::vector<std::string> names;
    /// Read by the first entry prepared in a turn of the loop, for the entries of that turn:
    /// after a wait for polkit, it is read again.
    std::optional<std::vector<LoadedModule>> loaded;
    std::vector<BootResult> results; ///< one per name, in list order
    std::size_t prepared = 0;        ///< names validated (and authorized) so far
    std::vector<Authorized> authorized;
    bool preparing = false; ///< loadNextBootModule() is on the stack
    bool waiting = false;   ///< for the entry prepared last (for polkit, unless root asked)
    bool inserting = false; ///< the kernel operation has been submitted
    BootDone done;
};

RequestHandler::RequestHandler(ModuleEngine& engine, ModuleFactsCache& facts, Authority& authority,
                               MainThreadDispatcher& dispatcher, RequestLog& log,
                               ConfigFiles configFiles, Publish publish,
                               std::size_t bootLoadWorkers)
    : engine_(engine), facts_(facts), authority_(authority), dispatcher_(dispatcher), log_(log),
      configFiles_(std::move(configFiles)), publish_(std::move(publish)),
      bootLoadWorkers_(std::max<std::size_t>(bootLoadWorkers, 1)) {}

void RequestHandler::load(const Caller& caller, const std::string& name,
                          const std::map<std::string, std::string>& parameters, std::uint64_t flags,
                          LoadDone done) {
    std::shared_ptr<RequestAdmission::Ticket> ticket;
    try {
        ticket = admission_.admit(caller.uid);
    } catch (...) {
        finishLoad({.operation = Operation::Load,
                    .caller = caller,
                    .requested = name,
                    .parameters = describeParameters(parameters),
                    .flags = flags},
                   currentError(), done);
        return;
    }
    load(
        caller, name, parameters, flags, nullptr,
        [this](const RequestRecord& record, const std::shared_ptr<LoadPlan>& plan,
               const LoadDone& loaded) { insert(record, plan, loaded); },
        holding(ticket, std::move(done)));
}

void RequestHandler::load(const Caller& caller, const std::string& name,
                          const std::map<std::string, std::string>& parameters, std::uint64_t flags,
                          std::optional<std::vector<LoadedModule>>* bootListLoaded, Act act,
                          LoadDone done) {
    RequestRecord record{.operation = Operation::Load,
                         .caller = caller,
                         .requested = name,
                         .parameters = describeParameters(parameters),
                         .flags = flags};
    std::shared_ptr<LoadPlan> plan; // shared, since std::function copies
    RequestFlags decoded;
    try {
        refuseWhenStopped();
        decoded = decodeFlags(flags, acceptedFlags::load, "Load");
        const LoadRequest request{name, decodeParameters(name, parameters), decoded.load};
        if (bootListLoaded) {
            if (!*bootListLoaded) {
                *bootListLoaded = engine_.loadedModules();
            }
            plan = std::make_shared<LoadPlan>(engine_.prepareLoad(request, **bootListLoaded));
        } else {
            engine_.reloadIndexIfChanged();
            plan = std::make_shared<LoadPlan>(engine_.prepareLoad(request));
        }
    } catch (...) {
        finishLoad(record, currentError(), done);
        return;
    }
    if (plan->status != LoadStatus::Loaded) {
        record.module = plan->resolution.name.str();
        record.kernelParameters = plan->parameters.kernelString();
        finishLoad(record, LoadReport{plan->resolution.name, plan->status, {}, {}, {}}, done);
        return;
    }
    if (bootListLoaded) {
        authorizeLoad(record, plan, decoded.interactive, act, done);
        return;
    }
    // Root's reads go first: no other caller's flood makes root wait for the cache.
    const auto priority =
        caller.uid == 0 ? ModuleFactsCache::Priority::Urgent : ModuleFactsCache::Priority::Normal;
    facts_.get(plan->filesToCheck(), engine_.config()->trustedPaths, priority,
               [this, record, plan, decoded, act, done](const ModuleFactsCache::Outcome& facts) {
                   try {
                       refuseWhenStopped();
                       engine_.checkFacts(*plan, facts);
                   } catch (...) {
                       finishLoad(record, currentError(), done);
                       return;
                   }
                   // A dry run changes nothing, so nobody is asked: what it shows, modprobe -n
                   // shows anyone.
                   if (decoded.dryRun) {
                       RequestRecord dryRun = record;
                       dryRun.module = plan->resolution.name.str();
                       dryRun.kernelParameters = plan->parameters.kernelString();
                       finishLoad(dryRun, engine_.describe(*plan), done);
                       return;
                   }
                   authorizeLoad(record, plan, decoded.interactive, act, done);
               });
}

void RequestHandler::authorizeLoad(RequestRecord record, const std::shared_ptr<LoadPlan>& plan,
                                   bool interactive, const Act& act, const LoadDone& done) {
    record.module = plan->resolution.name.str();
    record.kernelParameters = plan->parameters.kernelString();
    authorize(record.caller, Action::LoadModule, record.module, interactive,
              [this, record, plan, act, done](const std::optional<Error>& refusal) {
                  if (refusal) {
                      finishLoad(record, *refusal, done);
                  } else {
                      act(record, plan, done);
                  }
              });
}

void RequestHandler::authorize(const Caller& caller, Action action, const std::string& module,
                               bool interactive, Decided decided) {
    if (skipsPolkit(caller.uid)) {
        decided(std::nullopt);
        return;
    }
    // Each check is a reply kmodd waits for; the bus lets one connection wait for only so
    // many, and root's own calls must still fit.
    if (pendingChecks_ >= requestLimit::pendingAuthorizations) {
        decided(Error(ErrorKind::Busy,
                      "kmodd is already waiting for polkit on " + std::to_string(pendingChecks_) +
                          " requests, the most it lets wait at once; try again later"));
        return;
    }
    ++pendingChecks_;
    authority_.check(caller, action, module, interactive,
                     [this, decided = std::move(decided)](const AuthorityAnswer& answer) {
                         --pendingChecks_;
                         decided(refusalOf(answer));
                     });
}

void RequestHandler::insert(const RequestRecord& record, const std::shared_ptr<LoadPlan>& plan,
                            const LoadDone& done) {
    runInKernelQueue(
        plan->key(), "loading " + record.module,
        [this, plan] { return KernelResult(engine_.load(*plan)); },
        [this, record, done](const KernelQueue::Outcome& outcome) {
            if (const auto* error = std::get_if<Error>(&outcome)) {
                finishLoad(record, *error, done);
            } else {
                finishLoad(record, std::get<LoadReport>(std::get<0>(outcome)), done);
            }
        },
        publishingFor(record.caller));
}

void RequestHandler::unload(const Caller& caller, const std::string& name, std::uint64_t flags,
                            UnloadDone done) {
    RequestRecord record{
        .operation = Operation::Unload, .caller = caller, .requested = name, .flags = flags};
    std::optional<UnloadPlan> plan;
    RequestFlags decoded;
    try {
        done = holding(admission_.admit(caller.uid), std::move(done));
        refuseWhenStopped();
        decoded = decodeFlags(flags, acceptedFlags::unload, "Unload");
        engine_.reloadIndexIfChanged();
        plan = engine_.prepareUnload(name, decoded.keepDependencies);
    } catch (...) {
        finishUnload(record, currentError(), done);
        return;
    }
    record.module = plan->module.str();
    authorize(caller, Action::UnloadModule, record.module, decoded.interactive,
              [this, record, unloadPlan = *plan, done](const std::optional<Error>& refusal) {
                  if (refusal) {
                      finishUnload(record, *refusal, done);
                  } else {
                      remove(record, unloadPlan, done);
                  }
              });
}

void RequestHandler::remove(const RequestRecord& record, const UnloadPlan& plan,
                            const UnloadDone& done) {
    runInKernelQueue(
        plan.key(), "unloading " + record.module,
        [this, plan] { return KernelResult(engine_.unload(plan)); },
        [this, record, done](const KernelQueue::Outcome& outcome) {
            if (const auto* error = std::get_if<Error>(&outcome)) {
                finishUnload(record, *error, done);
            } else {
                finishUnload(record, std::get<UnloadReport>(std::get<0>(outcome)), done);
            }
        },
        publishingFor(record.caller));
}

void RequestHandler::reload(const Caller& caller, std::uint64_t flags, ReloadDone done) {
    RequestRecord record{.operation = Operation::Reload, .caller = caller, .flags = flags};
    RequestFlags decoded;
    try {
        done = holding(admission_.admit(caller.uid), std::move(done));
        refuseWhenStopped();
        decoded = decodeFlags(flags, acceptedFlags::reload, "Reload");
    } catch (...) {
        finishReload(record, currentError(), done);
        return;
    }
    authorize(caller, Action::ReloadConfig, "", decoded.interactive,
              [this, record, done](const std::optional<Error>& refusal) {
                  if (refusal) {
                      finishReload(record, refusal, done);
                      return;
                  }
                  try {
                      reloadConfig();
                  } catch (...) {
                      finishReload(record, currentError(), done);
                      return;
                  }
                  finishReload(record, std::nullopt, done);
              });
}

void RequestHandler::refuse(const RequestRecord& record, const Error& error) {
    log_.failure(record, error);
    counters_.countRefusal(error.kind());
}

void RequestHandler::loadBootModules(const Caller& caller, std::uint64_t flags, BootDone done) {
    auto run = std::make_shared<BootRun>();
    try {
        done = holding(admission_.admit(caller.uid), std::move(done));
        refuseWhenStopped();
        decodeFlags(flags, acceptedFlags::loadBootModules, "LoadBootModules");
        // One look at the index for the whole list, as for any one request.
        engine_.reloadIndexIfChanged();
    } catch (...) {
        const Error error = currentError();
        refuse({.operation = Operation::LoadBootModules, .caller = caller, .flags = flags}, error);
        done(error);
        return;
    }
    run->caller = caller;
    run->flags = flags;
    run->names = engine_.config()->boot;
    run->results.resize(run->names.size());
    run->done = std::move(done);
    loadNextBootModule(run);
}

// Prepares the entries one after the other, in a loop while each is decided at once (root's),
// so that a long list never nests calls; an entry that waits for polkit resumes it.
void RequestHandler::loadNextBootModule(const std::shared_ptr<BootRun>& run) {
    const auto prepared = [this, run] {
        run->waiting = false;
        if (!run->preparing) {
            run->loaded.reset();
            loadNextBootModule(run);
        }
    };
    run->preparing = true;
    while (!run->waiting && run->prepared < run->names.size()) {
        const std::size_t index = run->prepared++;
        const std::string name = run->names[index];
        run->waiting = true;
        load(
            run->caller, name, {}, run->flags, &run->loaded,
            [run, prepared](const RequestRecord& record, const std::shared_ptr<LoadPlan>& plan,
                            const LoadDone& loaded) {
                run->authorized.push_back({record, plan, loaded});
                prepared();
            },
            [run, index, name, prepared](const LoadOutcome& outcome) {
                run->results[index] = bootResult(name, outcome);
                if (!run->inserting) {
                    prepared();
                }
            });
    }
    run->preparing = false;
    if (!run->waiting) {
        insertBootModules(run);
    }
}

void RequestHandler::insertBootModules(const std::shared_ptr<BootRun>& run) {
    if (run->authorized.empty()) {
        run->done(run->results);
        return;
    }
    run->inserting = true;
    bootListLoading_ = true;
    auto plans = std::make_shared<std::vector<LoadPlan>>();
    for (const auto& entry : run->authorized) {
        plans->push_back(*entry.plan);
    }
    runInKernelQueue(
        "load-boot-modules " + std::to_string(++bootRuns_),
        "loading the boot list (" + std::to_string(plans->size()) + " modules)",
        [this, plans] { return KernelResult(engine_.loadAll(*plans, bootLoadWorkers_)); },
        [this, run](const KernelQueue::Outcome& outcome) {
            bootListLoading_ = false;
            // Taken out of the run: each entry's done holds the run.
            const auto authorized = std::exchange(run->authorized, {});
            const auto* error = std::get_if<Error>(&outcome);
            std::vector<LoadRecord> records;
            records.reserve(authorized.size());
            for (std::size_t entry = 0; entry < authorized.size(); ++entry) {
                const auto& [record, plan, done] = authorized[entry];
                records.push_back(answerLoad(
                    record,
                    error ? LoadResult(*error)
                          : std::get<std::vector<LoadResult>>(std::get<0>(outcome))[entry],
                    done));
            }
            run->done(run->results);
            for (const auto& record : records) {
                writeLoadRecord(record);
            }
        },
        Publishing::AfterAnswer);
}

bool RequestHandler::loadingBootList() const {
    const auto running = queue_.running();
    return bootListLoading_ && !(running && running->elapsed >= requestLimit::stuckKernelOperation);
}

void RequestHandler::reloadConfig() {
    engine_.setConfig(loadConfig(configFiles_.mainFile, configFiles_.dropInDirectory));
}

std::optional<KernelQueue::Running> RequestHandler::stop(KernelQueue::Clock::duration grace) {
    stopped_ = true;
    facts_.stop();
    authority_.cancelAll();
    return queue_.stop(grace);
}

void RequestHandler::refuseWhenStopped() const {
    if (stopped_) {
        throw Error(ErrorKind::Busy, "kmodd is shutting down and takes no new requests");
    }
}

RequestHandler::Publishing RequestHandler::publishingFor(const Caller& caller) {
    // A caller without a bus name (on root's socket) gets no signals on its connection, so its
    // answer has no order to keep with them.
    return caller.busName.empty() ? Publishing::AfterAnswer : Publishing::BeforeAnswer;
}

void RequestHandler::runInKernelQueue(const std::string& key, std::string what,
                                      KernelQueue::Work work, KernelDone done,
                                      Publishing publishing) {
    try {
        queue_.submit(key, std::move(what), std::move(work),
                      [this, done, publishing](const KernelQueue::Outcome& outcome) {
                          // On the queue's thread: this operation and every one before it have
                          // returned.
                          const std::uint64_t finished = queue_.finished();
                          dispatcher_.post([this, done, publishing, outcome, finished] {
                              if (publishing == Publishing::BeforeAnswer) {
                                  publish_(finished);
                                  done(outcome);
                              } else {
                                  done(outcome);
                                  publish_(finished);
                              }
                          });
                      });
    } catch (...) {
        done(KernelQueue::Outcome(std::in_place_index<1>, currentError()));
    }
}

// The finish functions answer before they write the journal record: the caller does not
// wait while journald, woken by the record, takes the CPU. The counters change first, so that
// an answered caller reads them changed.
void RequestHandler::finishLoad(RequestRecord record, std::variant<LoadReport, Error> result,
                                const LoadDone& done) {
    writeLoadRecord(answerLoad(std::move(record), std::move(result), done));
}

RequestHandler::LoadRecord RequestHandler::answerLoad(RequestRecord record,
                                                      std::variant<LoadReport, Error> result,
                                                      const LoadDone& done) {
    if (const auto* report = std::get_if<LoadReport>(&result)) {
        record.alreadyLoaded = report->status != LoadStatus::Loaded;
        if (!record.alreadyLoaded) {
            counters_.countLoad();
        }
        LoadRecord written{record, loadSummary(*report)};
        done({record.module, std::move(result)});
        return written;
    }
    const Error error = std::get<Error>(result);
    counters_.countRefusal(error.kind());
    done({record.module, std::move(result)});
    return {std::move(record), error};
}

void RequestHandler::writeLoadRecord(const LoadRecord& written) {
    if (const auto* summary = std::get_if<std::string>(&written.outcome)) {
        log_.success(written.record, *summary);
    } else {
        log_.failure(written.record, std::get<Error>(written.outcome));
    }
}

void RequestHandler::finishUnload(const RequestRecord& record,
                                  std::variant<UnloadReport, Error> result,
                                  const UnloadDone& done) {
    if (const auto* report = std::get_if<UnloadReport>(&result)) {
        std::string summary = "Unloaded " + record.module;
        if (report->unloaded.size() > 1) {
            summary += " (removed " + joinNames(report->unloaded) + ")";
        }
        counters_.countUnload();
        done({record.module, std::move(result)});
        log_.success(record, summary);
        return;
    }
    const Error error = std::get<Error>(result);
    counters_.countRefusal(error.kind());
    done({record.module, std::move(result)});
    log_.failure(record, error);
}

void RequestHandler::finishReload(const RequestRecord& record, const std::optional<Error>& error,
                                  const ReloadDone& done) {
    if (error) {
        counters_.countRefusal(error->kind());
    }
    done(error);
    if (error) {
        log_.failure(record, *error);
    } else {
        log_.success(record, reloadSummary(configFiles_.mainFile));
    }
}

} // namespace kmodd

#include "Daemon.h"

#include "BootLoadWorkers.h"
#include "Caller.h"
#include "Config.h"
#include "Logging.h"
#include "WireNames.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sdbus-c++/Error.h>
#include <signal.h>
#include <stdexcept>
#include <system_error>
#include <systemd/sd-daemon.h>

namespace kmodd {
namespace {

using wire::busName;
constexpr int handledSignals[] = {SIGTERM, SIGINT, SIGHUP};
// How soon to look again at a module that is coming or going: no uevent says when that ends.
constexpr std::chrono::microseconds settleInterval = std::chrono::milliseconds(100);
constexpr std::chrono::microseconds settleAccuracy = std::chrono::milliseconds(10);
constexpr int drainLimit = 4096;
// How long SIGTERM waits for the running kernel operation; a module init that takes longer is
// left to the kernel, which finishes it whether or not kmodd waits.
constexpr std::chrono::seconds shutdownGrace{5};

void check(int result, const char* what) {
    if (result < 0) {
        throw std::system_error(-result, std::generic_category(), what);
    }
}

EventPtr newEventLoop() {
    sd_event* event = nullptr;
    check(sd_event_new(&event), "cannot create the event loop");
    return EventPtr(event);
}

std::unique_ptr<sdbus::IConnection> connectToSystemBus() {
    try {
        return sdbus::createSystemBusConnection();
    } catch (const sdbus::Error& error) {
        throw std::runtime_error("cannot connect to the system bus: " + error.getMessage());
    }
}

// --root-socket, or the default one of the bus kmodd serves (none on another bus).
std::optional<std::filesystem::path> rootSocketOf(const DaemonOptions& options) {
    if (options.rootSocket) {
        return options.rootSocket;
    }
    if (const char* path = wire::defaultRootSocket()) {
        return path;
    }
    return std::nullopt;
}

ModuleTable readModuleTable(const Kernel& kernel) {
    ModuleTable table(kernel);
    table.refresh();
    return table;
}

} // namespace

void Daemon::blockSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (const int signal : handledSignals) {
        sigaddset(&set, signal);
    }
    check(-pthread_sigmask(SIG_BLOCK, &set, nullptr), "cannot block signals");
}

Daemon::Daemon(const DaemonOptions& options, Kernel& kernel, std::shared_ptr<spdlog::logger> logger)
    : logger_(std::move(logger)), loadBootModulesAtStart_(options.loadBootModules),
      index_(options.moduleDirectory.value_or(defaultModuleDirectory())),
      engine_(kernel, index_, loadConfig(options.configFile, options.dropInDirectory), logger_),
      table_(readModuleTable(kernel)), event_(newEventLoop()), connection_(connectToSystemBus()),
      dispatcher_(event_.get(), logger_),
      facts_([this](std::function<void()> task) { dispatcher_.post(std::move(task)); }),
      busSource_(event_.get(), *connection_, logger_),
      authority_(*connection_, dispatcher_, logger_),
      requestLog_(stderrIsJournal() ? nullptr : logger_),
      // The handler publishes only after a kernel operation, which only the manager (or run())
      // can start: manager_ exists by then.
      requests_(
          engine_, facts_, authority_, dispatcher_, requestLog_,
          {options.configFile, options.dropInDirectory},
          [this](std::uint64_t operations) { publishAfter(operations); }, bootLoadWorkers()),
      manager_(*connection_, requests_, table_, kernel, index_, facts_, engine_, logger_),
      rootSocketPath_(rootSocketOf(options)) {
    sd_event_source* source = nullptr;
    check(sd_event_add_time_relative(event_.get(), &source, CLOCK_MONOTONIC, settleInterval.count(),
                                     settleAccuracy.count(), onSettleTimer, this),
          "cannot add a timer");
    settleTimer_.reset(source);
    check(sd_event_source_set_enabled(source, SD_EVENT_OFF), "cannot add a timer");
    try {
        uevents_.emplace(event_.get(), [this] {
            // The boot list's modules are published together once it has loaded: one read of
            // the kernel's list instead of one for each module's uevents.
            if (!requests_.loadingBootList()) {
                refreshFromKernel();
            }
        });
    } catch (const std::system_error& error) {
        logger_->warn("{}: modules loaded or unloaded outside kmodd will be seen late",
                      error.what());
    }
    for (const int signal : handledSignals) {
        check(sd_event_add_signal(event_.get(), &source, signal, onSignal, this),
              "cannot handle signals");
        signalSources_.emplace_back(source);
    }
}

int Daemon::run() {
    try {
        connection_->requestName(busName);
    } catch (const sdbus::Error& error) {
        throw std::runtime_error("cannot own " + std::string(busName) + " (" + error.getMessage() +
                                 "): another kmodd may be running");
    }
    openRootSocket();
    sd_notify(0, "READY=1");
    logger_->info("serving {} on the system bus; {} modules loaded; module directory {}", busName,
                  table_.modules().size(), index_.directory().string());
    if (loadBootModulesAtStart_) {
        loadBootModules();
    }
    const int status = sd_event_loop(event_.get());

    sd_notify(0, "STOPPING=1");
    if (const auto stuck = requests_.stop(shutdownGrace)) {
        logger_->error("exiting although the kernel has been {} for {} s: a thread blocked in the "
                       "kernel cannot be joined",
                       stuck->what,
                       std::chrono::duration_cast<std::chrono::seconds>(stuck->elapsed).count());
        leftKernelOperationRunning_ = true;
    }
    dispatcher_.runPending();
    // Before the name goes: the socket's path is the next owner's then. Its connections' replies
    // have been sent (or queued to a peer that stopped reading, which is not waited for).
    rootSocket_.reset();
    try {
        connection_->releaseName(busName);
        // Calls that arrived before the name went: reads are answered, changes get Busy. A
        // bounded number, so that a client calling on and on cannot hold kmodd up.
        for (int i = 0; i < drainLimit && connection_->processPendingRequest(); ++i) {
        }
    } catch (const sdbus::Error& error) {
        logger_->warn("cannot release {}: {}", busName, error.getMessage());
    }
    if (status < 0) {
        logger_->error("the event loop failed: {}", std::generic_category().message(-status));
        return EXIT_FAILURE;
    }
    return status;
}

// Only after the name is ours: the socket's path belongs to the kmodd that owns the name.
void Daemon::openRootSocket() {
    if (!rootSocketPath_) {
        logger_->debug("no root socket: DBUS_SYSTEM_BUS_ADDRESS names another bus than the "
                       "system's, and no --root-socket was given");
        return;
    }
    try {
        rootSocket_.emplace(
            event_.get(), *rootSocketPath_,
            [this](sd_bus_message* message, const Caller& peer, sd_bus_error* error) {
                return manager_.answerDirect(message, peer, error);
            },
            [this](std::function<void()> task) { dispatcher_.post(std::move(task)); }, logger_);
    } catch (const std::system_error& error) {
        logger_->warn("{}: root's requests go through the bus", error.what());
    }
}

int Daemon::onSignal(sd_event_source* source, const signalfd_siginfo* signal, void* self) {
    auto* daemon = static_cast<Daemon*>(self);
    if (signal->ssi_signo == SIGHUP) {
        daemon->reloadConfig();
        return 0;
    }
    daemon->logger_->info("stopping on signal {}", signal->ssi_signo);
    sd_event_exit(sd_event_source_get_event(source), EXIT_SUCCESS);
    return 0;
}

int Daemon::onSettleTimer(sd_event_source*, std::uint64_t, void* self) {
    static_cast<Daemon*>(self)->refreshFromKernel();
    return 0;
}

void Daemon::refreshFromKernel() {
    // Taken before the list is read: the read shows every operation that had returned.
    const std::uint64_t finished = requests_.kernelOperationsFinished();
    if (manager_.refresh()) {
        publishedOperations_ = finished;
    }
    int enabled = SD_EVENT_OFF;
    sd_event_source_get_enabled(settleTimer_.get(), &enabled);
    if (table_.settling() && enabled == SD_EVENT_OFF) {
        sd_event_source_set_time_relative(settleTimer_.get(), settleInterval.count());
        sd_event_source_set_enabled(settleTimer_.get(), SD_EVENT_ONESHOT);
    }
}

void Daemon::publishAfter(std::uint64_t kernelOperations) {
    // A module's uevent, sent before its load returns, is often handled before the load's
    // answer: its refresh already shows the module, and a second read would find nothing new.
    if (publishedOperations_ < kernelOperations) {
        refreshFromKernel();
    }
}

void Daemon::reloadConfig() {
    try {
        requests_.reloadConfig();
        logger_->info("reloaded the configuration");
    } catch (const std::exception& error) {
        logger_->error("{}; the previous configuration stays in force", error.what());
    }
}

void Daemon::loadBootModules() {
    requests_.loadBootModules(
        kmoddItself(), 0, [this](const std::variant<std::vector<BootResult>, Error>& outcome) {
            if (const auto* error = std::get_if<Error>(&outcome)) {
                logger_->error("cannot load the boot modules: {}", error->what());
                return;
            }
            const auto& results = std::get<std::vector<BootResult>>(outcome);
            const auto failed =
                std::count_if(results.begin(), results.end(),
                              [](const BootResult& result) { return result.failed; });
            logger_->info("loaded the boot list: {} modules, {} failed", results.size(), failed);
        });
}

} // namespace kmodd

#pragma once

#include "BusEventSource.h"
#include "DaemonCommandLine.h"
#include "Kernel.h"
#include "MainThreadDispatcher.h"
#include "Manager.h"
#include "ModuleEngine.h"
#include "ModuleFactsCache.h"
#include "ModuleIndex.h"
#include "ModuleTable.h"
#include "PolkitAuthority.h"
#include "RequestHandler.h"
#include "RequestLog.h"
#include "RootSocket.h"
#include "SdEvent.h"
#include "UeventMonitor.h"

#include <memory>
#include <optional>
#include <sdbus-c++/IConnection.h>
#include <spdlog/logger.h>
#include <sys/signalfd.h>
#include <vector>

namespace kmodd {

/// kmodd's lifecycle, as systemd-hostnamed's run(): the constructor reads the config, opens the
/// module index, reads the kernel's module list, connects to the system bus
/// ($DBUS_SYSTEM_BUS_ADDRESS if set) and exports the objects; run() takes the bus name, tells
/// systemd READY=1 and serves (on root's socket too) until SIGTERM or SIGINT, then waits a bounded
/// time for the kernel. SIGHUP re-reads the config. Everything D-Bus happens on the thread that
/// calls run(); kernel operations run on the request queue's thread.
class Daemon {
  public:
    /// Throws Error (e.g. ConfigInvalid), sdbus::Error or std::system_error when kmodd cannot
    /// start; the message is one line for the log.
    Daemon(const DaemonOptions& options, Kernel& kernel, std::shared_ptr<spdlog::logger> logger);
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    /// The signals the loop handles. Block them before any thread starts, so that no thread
    /// takes them from the loop.
    static void blockSignals();

    /// Serves until told to stop, then stops cleanly: no new requests, the running kernel
    /// operation finishes, queued and pending requests are answered, the name is released.
    /// Returns the exit status.
    int run();

    /// After run(): whether a kernel operation was still running when kmodd stopped waiting for
    /// it. Its thread may still touch the daemon's state when the kernel returns, so the
    /// process must then end without destroying anything.
    bool leftKernelOperationRunning() const { return leftKernelOperationRunning_; }

  private:
    static int onSignal(sd_event_source* source, const signalfd_siginfo* signal, void* self);
    static int onSettleTimer(sd_event_source* source, std::uint64_t usec, void* self);
    void refreshFromKernel();
    void publishAfter(std::uint64_t kernelOperations);
    void reloadConfig();
    void loadBootModules();
    void openRootSocket();

    std::shared_ptr<spdlog::logger> logger_;
    bool loadBootModulesAtStart_;
    ModuleIndex index_;
    ModuleEngine engine_;
    ModuleTable table_;
    EventPtr event_;
    std::unique_ptr<sdbus::IConnection> connection_;
    MainThreadDispatcher dispatcher_;
    ModuleFactsCache facts_; ///< module files' contents, read off the loop
    BusEventSource busSource_;
    PolkitAuthority authority_;
    RequestLog requestLog_;
    RequestHandler requests_;
    Manager manager_;
    std::optional<UeventMonitor> uevents_;
    std::optional<std::filesystem::path> rootSocketPath_; ///< none: no root socket
    /// After manager_, which it calls; open only while the bus name is ours.
    std::optional<RootSocket> rootSocket_;
    std::uint64_t publishedOperations_ = 0; ///< kernel operations the table is known to show
    bool leftKernelOperationRunning_ = false;
    EventSourcePtr settleTimer_;
    std::vector<EventSourcePtr> signalSources_;
};

} // namespace kmodd

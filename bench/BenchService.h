#pragma once

#include "ModuleTree.h"
#include "PrivateSystemBus.h"
#include "ScratchDirectory.h"
#include "Subprocess.h"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kmodd::bench {

inline constexpr const char* echoBusName = "org.kmodd.BenchEcho";
inline constexpr const char* echoObjectPath = "/org/kmodd/BenchEcho";
inline constexpr const char* echoInterface = "org.kmodd.BenchEcho";

/// The programs the bench runs.
struct BenchPrograms {
    std::filesystem::path daemon; ///< kmodd-test-daemon (kmodd on the fake kernel)
    std::filesystem::path echo;   ///< kmodd-bench-echo
    std::filesystem::path sourceDirectory;
    /// Runs the daemon under this command, e.g. {"valgrind", "--tool=callgrind"}.
    std::vector<std::string> daemonPrefix{};
};

/// A kmodd started by the bench (killed on destruction unless stopped).
struct StartedDaemon {
    std::unique_ptr<testing::Subprocess> process;
    std::filesystem::path log;
    std::chrono::nanoseconds startToReady{}; ///< from before fork() to READY=1 on $NOTIFY_SOCKET
};

/// The setting of every measurement: a module tree (dummy, veth, stp, bridge), a private system
/// bus (the integration tests' configuration, kmodd's bus policy and the echo service's) and the
/// echo service on it. Sets DBUS_SYSTEM_BUS_ADDRESS for this process and its children. The fake
/// kernel has preloadedModules loaded, the tree's four among them, as a desktop has ~100.
class BenchService {
  public:
    BenchService(BenchPrograms programs, std::size_t preloadedModules);
    ~BenchService();

    /// Starts kmodd and waits for READY=1. Throws std::runtime_error, with its log, when it
    /// exits or is not ready within 30 s.
    StartedDaemon startDaemon();
    /// Stops a daemon; throws std::runtime_error, with its log, unless it exits cleanly.
    void stopDaemon(StartedDaemon& daemon);

    /// The daemon's root socket (--root-socket), for root's direct connections.
    std::filesystem::path rootSocket() const { return directory_ / "private"; }
    pid_t busPid() const noexcept { return busPid_; }
    pid_t echoPid() const { return echo_->pid(); }

  private:
    BenchPrograms programs_;
    testing::ScratchDirectory directory_{"bench"};
    testing::ModuleTree modules_;
    std::string preloaded_;
    std::optional<testing::PrivateSystemBus> bus_;
    pid_t busPid_ = -1;
    std::unique_ptr<testing::Subprocess> echo_;
    std::size_t started_ = 0;
};

} // namespace kmodd::bench

#pragma once

#include "ModuleTree.h"
#include "PrivateModprobeConfig.h"
#include "PrivatePolkit.h"
#include "PrivateSystemBus.h"
#include "ScratchDirectory.h"
#include "Subprocess.h"
#include "WireNames.h"

#include <functional>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <optional>
#include <sdbus-c++/sdbus-c++.h>
#include <string>
#include <vector>

namespace kmodd::testing {

using wire::busName;
using wire::managerInterface;
using wire::managerPath;
using wire::moduleInterface;

/// The start of a shell command that calls a Manager1 method with busctl, for loops in sh.
inline std::string busctlManagerCall() {
    return std::string("busctl --system call ") + busName + " " + managerPath + " " +
           managerInterface + " ";
}

/// Exit codes of kmodctl (SPEC "kmodctl").
namespace exitCode {
inline constexpr int success = 0;
inline constexpr int failed = 1;
inline constexpr int usage = 2;
inline constexpr int notAllowed = 3;
inline constexpr int notFound = 4;
} // namespace exitCode

/// The whole service on a throwaway system bus: dbus-daemon, polkitd and kmodd-test-daemon
/// (the daemon with the fake kernel) over a module tree of test modules:
///   dummy (parameter numdummies:int, default 2 in the config), veth, ifb (alias
///   rtnl-link-ifb), bridge (depends on stp), zram (xz-compressed), snd-dummy, floppy (denied),
///   pcspkr (not in the allow list), tampered (world-writable file), ext4 (built in), escseq
///   (its modinfo version holds terminal escapes and a newline).
/// Each test gets a fresh daemon; tests may run kmodctl and busctl as root or as one of the
/// accounts in PrivatePolkit.h.
class ServiceTest : public ::testing::Test {
  protected:
    struct DaemonOptions {
        std::vector<std::string> environment{}; ///< e.g. KMODD_FAKE_FAILURES=...
        std::vector<std::string> arguments{};   ///< added to the command line
        /// The bus also gets an activation file for kmodd (same command line and environment),
        /// so that a call made after kmodd has gone starts it again, as where systemd is not
        /// PID 1. TearDown stops such a kmodd too and checks that it ended cleanly.
        bool activatable = false;
        /// modprobe.d files (name -> text) and the kernel command line the daemon starts with;
        /// the host's never apply (PrivateModprobeConfig).
        std::map<std::string, std::string> modprobeFiles{};
        std::string kernelCommandLine{};
    };

    /// What SetUp starts the daemon with; fixtures override it.
    virtual DaemonOptions daemonOptions() const { return {}; }

    void SetUp() override;
    void TearDown() override;

    /// The config SetUp writes, with the module tree's trusted root.
    static std::string defaultConfig();

    Outcome kmodctl(const std::vector<std::string>& arguments,
                    std::optional<Credentials> user = std::nullopt);
    Outcome busctl(const std::vector<std::string>& arguments,
                   std::optional<Credentials> user = std::nullopt);
    /// Waits until a running `kmodctl monitor` has subscribed: events from before are not its
    /// to see, so dummy is loaded and unloaded until the monitor reports it. Fails the test
    /// (fatally) when the monitor exits or prints nothing for 10 s.
    void waitUntilSubscribed(Subprocess& monitor);

    /// A method call on Manager1 from this process (root), for the D-Bus error names.
    sdbus::IProxy& manager() { return *manager_; }
    /// The D-Bus error name a call throws, or "none" when it succeeds.
    static std::string errorNameOf(const std::function<void()>& call);

    /// The module names ListModules returns.
    std::vector<std::string> loadedModules();
    bool isLoaded(const std::string& module);

    /// The daemon's root socket (--root-socket), which root's kmodctl uses.
    std::filesystem::path rootSocket() const { return *directory_ / "private"; }
    /// The daemon's config file (what `kmodctl reload` re-reads).
    std::filesystem::path configFile() const;
    void writeConfig(const std::string& text);
    /// Writes a drop-in of the daemon's drop-in directory (owned by root, as every file the
    /// test writes); returns its path.
    std::filesystem::path writeDropIn(const std::string& name, const std::string& text,
                                      std::filesystem::perms mode = std::filesystem::perms(0644));
    void stopPolkit();
    /// Freezes polkitd, so that every check waits; TearDown lets it go again.
    void pausePolkit();
    void resumePolkit();
    /// Freezes the bus daemon, so that nothing sent through the bus arrives; TearDown lets it
    /// go again.
    void pauseBus() { bus_->pause(); }
    void resumeBus() { bus_->resume(); }
    /// The daemon's log so far, with the record of every request answered so far.
    std::string daemonLog() const;

    /// The pid of the process that owns a bus name now (for kmodd: the one SetUp started, or
    /// the one the bus started after it).
    pid_t pidOf(const std::string& name);
    /// Waits for the kmodd SetUp started to exit (after a test has killed it, or by itself) and
    /// returns how it ended; TearDown then leaves it alone.
    Outcome waitForDaemonExit(std::chrono::milliseconds timeout);
    /// Kills dbus-daemon and starts a new one on the same address; polkitd goes with the old
    /// bus and is started again. kmodd is left to cope.
    void restartBus();

    static const ModuleTree& modules();

    /// The test's own modprobe.d and kernel command line.
    const PrivateModprobeConfig& modprobeConfig() const { return *modprobe_; }

  private:
    void startBus();
    void writeActivationFile(const std::vector<std::string>& argv,
                             const std::vector<std::string>& environment);
    void stopActivatedDaemon();
    bool nameHasOwner(const std::string& name);
    void waitForName(const std::string& name, const std::function<bool()>& providerRunning);

    std::optional<ScratchDirectory> directory_;
    std::optional<PrivateModprobeConfig> modprobe_;
    bool activatable_ = false;
    std::optional<PrivateSystemBus> bus_;
    std::optional<PrivatePolkit> polkit_;
    std::optional<Subprocess> daemon_;
    std::unique_ptr<sdbus::IConnection> connection_;
    std::unique_ptr<sdbus::IProxy> busDaemon_;
    std::unique_ptr<sdbus::IProxy> manager_;
};

} // namespace kmodd::testing

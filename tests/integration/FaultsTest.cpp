// What kmodd does when the world around it breaks: killed mid-burst, the bus gone, polkitd gone
// mid-check, its config file or module directory damaged under it.
#include "KernelStateFile.h"
#include "ProgramCopy.h"
#include "ServiceTest.h"
#include "WaitUntil.h"
#include "WireNames.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <gmock/gmock.h>
#include <sys/stat.h>

namespace kmodd::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::vector<std::string> sorted(std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    return names;
}

/// kmodd over a fake kernel whose module table outlives it, on a bus that starts kmodd again
/// on demand: it can die and come back.
class ARestartedDaemon : public ServiceTest {
  protected:
    // Kernel calls slow enough for a burst to be still queued when kmodd is killed.
    DaemonOptions daemonOptions() const override {
        return {.environment = {"KMODD_FAKE_DELAY_MS=40", kernel_.environmentVariable()},
                .activatable = true};
    }

    KernelStateFile kernel_;
};

class APolkitCheck : public ServiceTest {};

class AConfigFile : public ServiceTest {
  protected:
    std::string loadError(const std::string& module) {
        return errorNameOf([&] {
            manager()
                .callMethod("Load")
                .onInterface(managerInterface)
                .withArguments(module, std::map<std::string, std::string>{}, std::uint64_t{0});
        });
    }

    /// Runs `kmodctl reload`, which must fail, checks that the config of SetUp is still in
    /// force and returns what kmodctl said.
    std::string refusedReload() {
        const auto reload = kmodctl({"reload"});
        EXPECT_EQ(reload.exitCode, exitCode::failed) << reload.describe();
        EXPECT_EQ(loadError("pcspkr"), kmodd::wire::error::busName(kmodd::wire::error::notAllowed));
        EXPECT_EQ(loadError("dummy"), "none");
        return reload.err;
    }
};

class AModuleDirectory : public ServiceTest {
  protected:
    void TearDown() override {
        if (fs::exists(movedAway())) {
            fs::rename(movedAway(), modules().moduleDirectory());
        }
        ServiceTest::TearDown();
    }

    static fs::path movedAway() { return modules().moduleDirectory().string() + ".moved"; }
};

TEST_F(ARestartedDaemon, KilledDuringABurstIsStartedByTheNextCallAndKnowsWhatTheKernelHas) {
    const std::vector<std::string> burst{"dummy", "veth", "ifb", "bridge", "zram", "snd-dummy"};
    std::atomic<std::size_t> answered = 0;
    auto connection = sdbus::createSystemBusConnection();
    connection->enterEventLoopAsync();
    auto proxy = sdbus::createProxy(*connection, busName, managerPath);
    for (const auto& module : burst) {
        proxy->callMethodAsync("Load")
            .onInterface(managerInterface)
            .withArguments(module, std::map<std::string, std::string>{}, std::uint64_t{0})
            .uponReplyInvoke([&](const sdbus::Error*, const std::string&, const std::string&,
                                 const std::vector<std::string>&) { ++answered; });
    }
    waitUntil([&] { return !kernel_.loadedModules().empty(); }, "the burst's first module");

    ::kill(pidOf(busName), SIGKILL);
    EXPECT_EQ(waitForDaemonExit(5s).exitCode, 128 + SIGKILL);
    const auto loadedWhenKilled = kernel_.loadedModules();
    ASSERT_LT(loadedWhenKilled.size(), burst.size()) << "the burst was over before the kill";
    // Those not done get an error from the bus: nobody waits forever.
    waitUntil([&] { return answered == burst.size(); }, "an answer to every call of the burst");
    connection->leaveEventLoop();

    EXPECT_EQ(sorted(loadedModules()), loadedWhenKilled) << daemonLog();
    for (const auto& module : burst) {
        const auto load = kmodctl({"load", module});
        EXPECT_EQ(load.exitCode, exitCode::success) << load.describe();
    }
    EXPECT_EQ(sorted(loadedModules()), kernel_.loadedModules());
}

// systemd's own daemons exit when they lose the bus; Restart=on-failure (or the next call,
// through activation) brings kmodd back on the new bus.
TEST_F(ARestartedDaemon, ExitsWithAFailureWhenTheBusGoesAndComesBackWithIt) {
    ASSERT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);

    restartBus();
    const auto ended = waitForDaemonExit(10s);

    EXPECT_NE(ended.exitCode, 0) << "Restart=on-failure would not start it again";
    EXPECT_THAT(daemonLog(), ContainsRegex("error: [^\n]*bus"));
    EXPECT_EQ(loadedModules(), std::vector<std::string>{"dummy"}) << daemonLog();
    EXPECT_EQ(kmodctl({"load", "veth"}).exitCode, exitCode::success);
}

TEST_F(APolkitCheck, CutShortByPolkitdDyingRefusesTheCallerNamingPolkit) {
    const pid_t polkitd = pidOf("org.freedesktop.PolicyKit1");
    // Shows kmodd's question to polkitd, so that polkitd dies with it unanswered.
    Subprocess monitor({"dbus-monitor", "--system",
                        "type='method_call',destination='org.freedesktop.PolicyKit1',"
                        "member='CheckAuthorization'"});
    ASSERT_TRUE(monitor.waitForOutput("member=NameLost", 10s)) << "dbus-monitor is not monitoring";
    ::kill(polkitd, SIGSTOP);
    // A user the rules allow: only the missing answer can refuse it.
    Subprocess load({kmodctlForAnyUser(), "--no-ask-password", "load", "dummy"},
                    {.user = accounts::trusted});
    ASSERT_TRUE(monitor.waitForOutput("member=CheckAuthorization", 20s)) << "kmodd never asked";
    ::kill(polkitd, SIGKILL);
    const auto outcome = load.wait(20s);

    EXPECT_EQ(outcome.exitCode, exitCode::notAllowed) << outcome.describe();
    EXPECT_THAT(outcome.err, ContainsRegex("[Pp]olkit"));
    EXPECT_FALSE(isLoaded("dummy"));
    EXPECT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success) << "root needs no polkit";
}

TEST_F(AConfigFile, ReplacedByGarbageIsRefusedOnReloadNamingTheFileAndLine) {
    writeConfig("allow: [dummy, pcspkr\n\x01\xff\xfe: {{{\n]]]\n");

    EXPECT_THAT(refusedReload(), ContainsRegex(configFile().string() + ":[0-9]+: "));
}

TEST_F(AConfigFile, ReplacedByADirectoryIsRefusedOnReloadAsUnreadable) {
    fs::remove(configFile());
    fs::create_directory(configFile());

    EXPECT_THAT(refusedReload(), HasSubstr(configFile().string() + ": cannot be read"));
}

// A FIFO with no writer would block a plain open() for ever.
TEST_F(AConfigFile, ReplacedByAFifoIsRefusedOnReloadAsUnreadable) {
    fs::remove(configFile());
    ASSERT_EQ(::mkfifo(configFile().c_str(), 0644), 0);

    EXPECT_THAT(refusedReload(), HasSubstr(configFile().string() + ": cannot be read"));
}

// As modprobe and systemd treat their own files: a missing main config is no error, and the
// built-in defaults apply (any module, trusted only beneath /lib/modules and /usr/lib/modules).
TEST_F(AConfigFile, DeletedMeansTheDefaultsOnReloadAndKmoddSaysSo) {
    fs::remove(configFile());

    const auto reload = kmodctl({"reload"});

    EXPECT_EQ(reload.exitCode, exitCode::success) << reload.describe();
    EXPECT_THAT(daemonLog(),
                HasSubstr(configFile().string() + " does not exist: the built-in defaults apply"));
    // No longer outside an allow list, but the test tree is not beneath a default trusted root.
    EXPECT_EQ(loadError("pcspkr"), kmodd::wire::error::busName(kmodd::wire::error::untrusted));
}

TEST_F(AModuleDirectory, MissingAtStartStopsKmoddWithOneLineNamingIt) {
    const fs::path missing = modules().root() / "no-such-directory";

    const auto start = run({KMODD_TEST_DAEMON, "--module-directory", missing.string(), "--config",
                            configFile().string()});

    EXPECT_EQ(start.exitCode, 1) << start.describe();
    EXPECT_THAT(start.err, HasSubstr("module directory " + missing.string() + " does not exist"));
    EXPECT_EQ(std::count(start.err.begin(), start.err.end(), '\n'), 1) << start.err;
}

TEST_F(AModuleDirectory, RemovedWhileKmoddRunsFailsRequestsNamingItUntilItIsBack) {
    ASSERT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);
    fs::rename(modules().moduleDirectory(), movedAway());

    const auto load = kmodctl({"load", "veth"});
    const auto status = kmodctl({"status", "dummy"});

    EXPECT_EQ(load.exitCode, exitCode::failed) << load.describe();
    EXPECT_THAT(load.err, HasSubstr("module directory " + modules().moduleDirectory().string() +
                                    " does not exist"));
    EXPECT_EQ(status.exitCode, exitCode::success) << status.describe();
    EXPECT_EQ(loadedModules(), std::vector<std::string>{"dummy"});

    fs::rename(movedAway(), modules().moduleDirectory());
    EXPECT_EQ(kmodctl({"load", "veth"}).exitCode, exitCode::success);
}

} // namespace
} // namespace kmodd::testing

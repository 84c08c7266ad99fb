#include "BenchService.h"

#include "NotifySocket.h"
#include "TextFile.h"
#include "WaitUntil.h"

#include <cstdlib>
#include <sdbus-c++/sdbus-c++.h>
#include <stdexcept>

namespace kmodd::bench {
namespace {

namespace fs = std::filesystem;
using testing::Subprocess;

// Generous: under valgrind kmodd starts in seconds.
constexpr auto readyTimeout = std::chrono::seconds(30);
constexpr auto stopGrace = std::chrono::seconds(30);

constexpr const char* echoPolicy = R"(<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <policy user="root">
    <allow own="org.kmodd.BenchEcho"/>
  </policy>
  <policy context="default">
    <allow send_destination="org.kmodd.BenchEcho" send_interface="org.kmodd.BenchEcho"/>
  </policy>
</busconfig>
)";

void buildModules(testing::ModuleTree& tree) {
    tree.add({.name = "dummy", .parameters = {"numdummies:int"}});
    tree.add({.name = "veth"});
    tree.add({.name = "stp", .exports = {"stp_proto_register"}});
    tree.add({.name = "bridge", .uses = {"stp_proto_register"}});
    tree.index();
}

// KMODD_FAKE_PRELOADED: the tree's modules (bridge holding stp), then fillers up to count.
std::string preloadedList(std::size_t count) {
    std::string list = "dummy,veth,stp,bridge:stp";
    for (std::size_t i = 4; i < count; ++i) {
        list += ",bench_filler_" + std::to_string(i);
    }
    return list;
}

std::string configText(const testing::ModuleTree& tree) {
    return "trusted_paths: [" + tree.trustedRoot().string() + "]\n" +
           R"(allow: [dummy, veth, stp, bridge]
modules:
  dummy:
    parameters: {numdummies: 2}
)";
}

pid_t queryBusPid() {
    const auto connection = sdbus::createSystemBusConnection();
    const auto bus =
        sdbus::createProxy(*connection, "org.freedesktop.DBus", "/org/freedesktop/DBus");
    std::uint32_t pid = 0;
    bus->callMethod("GetConnectionUnixProcessID")
        .onInterface("org.freedesktop.DBus")
        .withArguments(std::string("org.freedesktop.DBus"))
        .storeResultsTo(pid);
    return static_cast<pid_t>(pid);
}

bool nameHasOwner(const std::string& name) {
    const auto connection = sdbus::createSystemBusConnection();
    const auto bus =
        sdbus::createProxy(*connection, "org.freedesktop.DBus", "/org/freedesktop/DBus");
    bool owned = false;
    bus->callMethod("NameHasOwner")
        .onInterface("org.freedesktop.DBus")
        .withArguments(name)
        .storeResultsTo(owned);
    return owned;
}

} // namespace

BenchService::BenchService(BenchPrograms programs, std::size_t preloadedModules)
    : programs_(std::move(programs)), preloaded_(preloadedList(preloadedModules)) {
    buildModules(modules_);
    directory_.write("kmodd.yaml", configText(modules_));
    directory_.createDirectories("kmodd.yaml.d");
    bus_.emplace(directory_,
                 std::vector<fs::path>{programs_.sourceDirectory / "dbus/org.kmodd.Manager1.conf",
                                       directory_.write("echo.conf", echoPolicy)});
    ::setenv("DBUS_SYSTEM_BUS_ADDRESS", bus_->address().c_str(), 1);
    busPid_ = queryBusPid();
    echo_ = std::make_unique<Subprocess>(std::vector<std::string>{programs_.echo.string()},
                                         testing::SpawnOptions{.logFile = directory_ / "echo.log"});
    testing::waitUntil(
        [&] {
            if (!echo_->running()) {
                throw std::runtime_error("kmodd-bench-echo exited: " +
                                         testing::readText(directory_ / "echo.log"));
            }
            return nameHasOwner(echoBusName);
        },
        std::string(echoBusName) + " to appear on the bus");
}

BenchService::~BenchService() {
    echo_.reset();
    bus_.reset();
    ::unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

StartedDaemon BenchService::startDaemon() {
    StartedDaemon daemon;
    daemon.log = directory_ / ("kmodd-" + std::to_string(++started_) + ".log");
    NotifySocket notify(directory_ / "notify");
    std::vector<std::string> argv = programs_.daemonPrefix;
    argv.insert(argv.end(),
                {programs_.daemon.string(), "--module-directory",
                 modules_.moduleDirectory().string(), "--config",
                 (directory_ / "kmodd.yaml").string(), "--drop-in-directory",
                 (directory_ / "kmodd.yaml.d").string(), "--root-socket", rootSocket().string()});
    const testing::SpawnOptions options{.environment = {"NOTIFY_SOCKET=" + notify.path().string(),
                                                        "KMODD_FAKE_PRELOADED=" + preloaded_},
                                        .logFile = daemon.log};
    const auto start = std::chrono::steady_clock::now();
    daemon.process = std::make_unique<Subprocess>(argv, options);
    const auto ready = notify.waitFor("READY=1", readyTimeout);
    if (!ready) {
        daemon.process.reset();
        throw std::runtime_error("kmodd did not tell READY=1 within 30 s; its log:\n" +
                                 testing::readText(daemon.log));
    }
    daemon.startToReady = *ready - start;
    return daemon;
}

void BenchService::stopDaemon(StartedDaemon& daemon) {
    const auto outcome = daemon.process->stop(stopGrace);
    daemon.process.reset();
    if (outcome.exitCode != 0) {
        throw std::runtime_error("kmodd did not end cleanly on SIGTERM (" + outcome.describe() +
                                 "); its log:\n" + testing::readText(daemon.log));
    }
}

} // namespace kmodd::bench

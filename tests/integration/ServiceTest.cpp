#include "ServiceTest.h"

#include "ProgramCopy.h"
#include "TextFile.h"
#include "WaitUntil.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>

namespace kmodd::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::unique_ptr<ModuleTree> buildModuleTree() {
    auto tree = std::make_unique<ModuleTree>();
    tree->add({.name = "dummy", .parameters = {"numdummies:int", "label:charp"}});
    tree->add({.name = "veth"});
    tree->add({.name = "ifb", .aliases = {"rtnl-link-ifb"}});
    tree->add({.name = "stp", .exports = {"stp_proto_register"}});
    tree->add({.name = "bridge", .uses = {"stp_proto_register"}});
    tree->add({.name = "zram"});
    tree->compress("zram", Compression::Xz);
    tree->add({.name = "snd-dummy"});
    tree->add({.name = "floppy"});
    tree->add({.name = "pcspkr"});
    tree->add({.name = "tampered"});
    tree->add({.name = "escseq", .version = "1.0\x1b]0;owned\x07\n    Signer: forged"});
    tree->addBuiltin("ext4");
    tree->index();
    fs::permissions(tree->pathOf("tampered"), fs::perms(0666));
    return tree;
}

// Single quotes for sh: nothing inside is special but the quote itself.
std::string shellQuoted(const std::string& text) {
    std::string quoted = "'";
    for (const char c : text) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

} // namespace

const ModuleTree& ServiceTest::modules() {
    static const auto tree = buildModuleTree();
    return *tree;
}

std::string ServiceTest::defaultConfig() {
    return "trusted_paths: [" + modules().trustedRoot().string() + "]\n" +
           R"(allow: [dummy, veth, ifb, bridge, stp, zram, tampered, floppy, ext4, "snd_*"]
deny: [floppy]
modules:
  dummy:
    parameters: {numdummies: 2}
boot: [dummy, veth]
)";
}

void ServiceTest::SetUp() {
    directory_.emplace("integration");
    writeConfig(defaultConfig());
    const auto dropIns = directory_->createDirectories("kmodd.yaml.d");
    const auto options = daemonOptions();
    modprobe_.emplace(*directory_);
    for (const auto& [name, text] : options.modprobeFiles) {
        modprobe_->write(name, text);
    }
    modprobe_->setKernelCommandLine(options.kernelCommandLine);
    std::vector<std::string> argv{
        KMODD_TEST_DAEMON, "--module-directory",  modules().moduleDirectory().string(),
        "--config",        configFile().string(), "--drop-in-directory",
        dropIns.string(),  "--root-socket",       rootSocket().string()};
    argv.insert(argv.end(), options.arguments.begin(), options.arguments.end());
    activatable_ = options.activatable;
    if (activatable_) {
        writeActivationFile(argv, options.environment);
    }

    // Root's kmodctl finds this daemon's socket, not /run/kmodd/private.
    ::setenv(wire::rootSocketVariable, rootSocket().c_str(), 1);
    startBus();
    daemon_.emplace(argv, SpawnOptions{.environment = options.environment,
                                       .logFile = *directory_ / "kmodd.log"});
    waitForName(busName, [&] { return daemon_->running(); });
    // Made right after the name is owned: every test's root kmodctl goes there.
    waitUntil([&] { return fs::exists(rootSocket()); }, "kmodd's root socket");
    manager_ = sdbus::createProxy(*connection_, busName, managerPath);
}

void ServiceTest::startBus() {
    const fs::path source = KMODD_SOURCE_DIR;
    bus_.emplace(
        *directory_,
        std::vector<fs::path>{source / "dbus/org.kmodd.Manager1.conf",
                              "/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf"},
        activatable_ ? std::optional(*directory_ / "dbus-services") : std::nullopt);
    // Inherited by every client and daemon started from here, and read by sd-bus in this
    // process, exactly as on a real system.
    ::setenv("DBUS_SYSTEM_BUS_ADDRESS", bus_->address().c_str(), 1);
    connection_ = sdbus::createSystemBusConnection();
    busDaemon_ = sdbus::createProxy(*connection_, "org.freedesktop.DBus", "/org/freedesktop/DBus");

    polkit_.emplace(*directory_, source);
    waitForName("org.freedesktop.PolicyKit1", [&] { return polkit_->running(); });
}

// A script rather than the command line itself, for the test's environment, the log and the
// exit status (the bus is the parent, not us). The bus tells the service its address.
void ServiceTest::writeActivationFile(const std::vector<std::string>& argv,
                                      const std::vector<std::string>& environment) {
    std::string script = "#!/bin/sh\nexport DBUS_SYSTEM_BUS_ADDRESS=\"$DBUS_STARTER_ADDRESS\"";
    for (const auto& variable : environment) {
        script += " " + shellQuoted(variable);
    }
    script += "\n";
    for (const auto& argument : argv) {
        script += shellQuoted(argument) + " ";
    }
    const auto status = *directory_ / "activated-kmodd.status";
    script += ">>" + shellQuoted((*directory_ / "kmodd.log").string()) + " 2>&1\n" + "echo $? >" +
              shellQuoted(status.string() + ".new") + " && mv " +
              shellQuoted(status.string() + ".new") + " " + shellQuoted(status.string()) + "\n";
    const auto executable =
        directory_->write("activate-kmodd.sh", script, fs::perms(0755)).string();
    directory_->write("dbus-services/org.kmodd.Manager1.service",
                      "[D-BUS Service]\nName=org.kmodd.Manager1\nExec=" + executable + "\n");
}

void ServiceTest::TearDown() {
    if (polkit_) {
        polkit_->resume();
    }
    if (bus_) {
        bus_->resume();
    }
    manager_.reset();
    if (daemon_) {
        const auto outcome = daemon_->stop(std::chrono::seconds(10));
        EXPECT_EQ(outcome.exitCode, 0) << "kmodd did not end cleanly on SIGTERM; its log:\n"
                                       << daemonLog();
        daemon_.reset();
    } else if (activatable_ && busDaemon_ && nameHasOwner(busName)) {
        stopActivatedDaemon();
    }
    busDaemon_.reset();
    connection_.reset();
    polkit_.reset();
    bus_.reset();
    ::unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
    ::unsetenv(wire::rootSocketVariable);
    modprobe_.reset();
    directory_.reset();
}

void ServiceTest::stopActivatedDaemon() {
    const auto status = *directory_ / "activated-kmodd.status";
    fs::remove(status);
    ::kill(pidOf(busName), SIGTERM);
    waitUntil([&] { return fs::exists(status); }, "the kmodd the bus started to exit");
    EXPECT_EQ(readText(status), "0\n")
        << "the kmodd the bus started did not end cleanly on SIGTERM; the log:\n"
        << daemonLog();
}

pid_t ServiceTest::pidOf(const std::string& name) {
    std::uint32_t pid = 0;
    busDaemon_->callMethod("GetConnectionUnixProcessID")
        .onInterface("org.freedesktop.DBus")
        .withArguments(name)
        .storeResultsTo(pid);
    return static_cast<pid_t>(pid);
}

Outcome ServiceTest::waitForDaemonExit(std::chrono::milliseconds timeout) {
    const auto outcome = daemon_->wait(timeout);
    daemon_.reset();
    return outcome;
}

void ServiceTest::restartBus() {
    manager_.reset();
    busDaemon_.reset();
    connection_.reset();
    polkit_.reset();
    bus_.reset();
    startBus();
    manager_ = sdbus::createProxy(*connection_, busName, managerPath);
}

bool ServiceTest::nameHasOwner(const std::string& name) {
    bool owned = false;
    busDaemon_->callMethod("NameHasOwner")
        .onInterface("org.freedesktop.DBus")
        .withArguments(name)
        .storeResultsTo(owned);
    return owned;
}

void ServiceTest::waitForName(const std::string& name,
                              const std::function<bool()>& providerRunning) {
    waitUntil(
        [&] {
            if (!providerRunning()) {
                throw std::runtime_error("the process meant to own " + name +
                                         " exited; kmodd log:\n" + daemonLog());
            }
            return nameHasOwner(name);
        },
        name + " to appear on the bus");
}

void ServiceTest::waitUntilSubscribed(Subprocess& monitor) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!monitor.waitForOutput("dummy", 100ms)) {
        ASSERT_TRUE(monitor.running()) << monitor.stop({}).describe();
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "kmodctl monitor printed nothing";
        ASSERT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);
        ASSERT_EQ(kmodctl({"unload", "dummy"}).exitCode, exitCode::success);
    }
}

Outcome ServiceTest::kmodctl(const std::vector<std::string>& arguments,
                             std::optional<Credentials> user) {
    std::vector<std::string> argv{user ? kmodctlForAnyUser() : KMODCTL};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return run(argv, {.user = user});
}

Outcome ServiceTest::busctl(const std::vector<std::string>& arguments,
                            std::optional<Credentials> user) {
    std::vector<std::string> argv{"busctl", "--system"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    return run(argv, {.user = user});
}

std::string ServiceTest::errorNameOf(const std::function<void()>& call) {
    try {
        call();
    } catch (const sdbus::Error& error) {
        return error.getName();
    }
    return "none";
}

std::vector<std::string> ServiceTest::loadedModules() {
    std::vector<sdbus::Struct<std::string, std::string, std::uint32_t, std::vector<std::string>>>
        listed;
    manager().callMethod("ListModules").onInterface(managerInterface).storeResultsTo(listed);
    std::vector<std::string> names;
    for (const auto& module : listed) {
        names.push_back(module.get<0>());
    }
    return names;
}

bool ServiceTest::isLoaded(const std::string& module) {
    const auto names = loadedModules();
    return std::find(names.begin(), names.end(), module) != names.end();
}

fs::path ServiceTest::configFile() const {
    return *directory_ / "kmodd.yaml";
}

void ServiceTest::writeConfig(const std::string& text) {
    directory_->write("kmodd.yaml", text);
}

fs::path ServiceTest::writeDropIn(const std::string& name, const std::string& text,
                                  fs::perms mode) {
    return directory_->write(fs::path("kmodd.yaml.d") / name, text, mode);
}

void ServiceTest::stopPolkit() {
    polkit_->stop();
    waitUntil([&] { return !nameHasOwner("org.freedesktop.PolicyKit1"); },
              "org.freedesktop.PolicyKit1 to leave the bus");
}

void ServiceTest::pausePolkit() {
    polkit_->pause();
}

void ServiceTest::resumePolkit() {
    polkit_->resume();
}

std::string ServiceTest::daemonLog() const {
    // kmodd writes a request's record right after its answer, and serves the bus in order: the
    // answer to a ping sent now comes once every earlier request's record is written. A kmodd
    // (or bus) that is stopped or gone does not answer, and its log is read as it is.
    if (manager_ && daemon_ && daemon_->running()) {
        try {
            manager_->callMethod("Ping")
                .onInterface("org.freedesktop.DBus.Peer")
                .withTimeout(std::chrono::seconds(2));
        } catch (const sdbus::Error&) {
        }
    }
    return directory_ ? readText(*directory_ / "kmodd.log") : "";
}

} // namespace kmodd::testing

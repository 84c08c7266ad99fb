#include "ServiceTest.h"

#include <condition_variable>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <mutex>

namespace kmodd::testing {
namespace {

using namespace std::chrono_literals;
using InterfaceProperties = std::map<std::string, std::map<std::string, sdbus::Variant>>;

std::string show(const sdbus::Variant& value) {
    const auto type = value.peekValueType();
    if (type == "s") {
        return value.get<std::string>();
    }
    if (type == "u") {
        return std::to_string(value.get<std::uint32_t>());
    }
    if (type == "as") {
        return fmt::format("{}", fmt::join(value.get<std::vector<std::string>>(), ","));
    }
    return "<" + type + ">";
}

/// Records, as lines of text, the signals kmodd emits, received on a connection of its own.
class Subscriber {
  public:
    Subscriber() : connection_(sdbus::createSystemBusConnection()) {
        manager_ = sdbus::createProxy(*connection_, busName, managerPath);
        for (const char* signal : {"ModuleLoaded", "ModuleUnloaded"}) {
            manager_->uponSignal(signal)
                .onInterface(managerInterface)
                .call([this, signal](const std::string& module) {
                    record(std::string(signal) + " " + module);
                });
        }
        manager_->uponSignal("InterfacesAdded")
            .onInterface("org.freedesktop.DBus.ObjectManager")
            .call([this](const sdbus::ObjectPath& path, const InterfaceProperties& interfaces) {
                for (const auto& [interface, properties] : interfaces) {
                    record("InterfacesAdded " + path + " " + interface);
                }
            });
        manager_->uponSignal("InterfacesRemoved")
            .onInterface("org.freedesktop.DBus.ObjectManager")
            .call(
                [this](const sdbus::ObjectPath& path, const std::vector<std::string>& interfaces) {
                    for (const auto& interface : interfaces) {
                        record("InterfacesRemoved " + path + " " + interface);
                    }
                });
        manager_->finishRegistration();
        connection_->enterEventLoopAsync();
    }

    ~Subscriber() { connection_->leaveEventLoop(); }

    /// Also records PropertiesChanged of one object, as "PropertiesChanged PATH NAME=VALUE".
    void watchProperties(const std::string& path) {
        auto proxy = sdbus::createProxy(*connection_, busName, path);
        proxy->uponSignal("PropertiesChanged")
            .onInterface("org.freedesktop.DBus.Properties")
            .call([this, path](const std::string&,
                               const std::map<std::string, sdbus::Variant>& changed,
                               const std::vector<std::string>&) {
                for (const auto& [name, value] : changed) {
                    record("PropertiesChanged " + path + " " + name + "=" + show(value));
                }
            });
        proxy->finishRegistration();
        objects_.push_back(std::move(proxy));
    }

    /// Waits until event has been recorded; false after timeout.
    bool waitFor(const std::string& event, std::chrono::milliseconds timeout = 10s) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] {
            return std::find(events_.begin(), events_.end(), event) != events_.end();
        });
    }

    std::string events() const {
        std::lock_guard lock(mutex_);
        std::string all;
        for (const auto& event : events_) {
            all += event + "\n";
        }
        return all;
    }

  private:
    void record(std::string event) {
        std::lock_guard lock(mutex_);
        events_.push_back(std::move(event));
        changed_.notify_all();
    }

    std::unique_ptr<sdbus::IConnection> connection_;
    std::unique_ptr<sdbus::IProxy> manager_;
    std::vector<std::unique_ptr<sdbus::IProxy>> objects_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> events_;
};

class ASubscriber : public ServiceTest {};
class AnObjectManager : public ServiceTest {};
class TheMonitorCommand : public ServiceTest {};

TEST_F(ASubscriber, SeesModuleLoadedAndTheNewModuleObjects) {
    Subscriber subscriber;

    ASSERT_EQ(kmodctl({"load", "bridge"}).exitCode, exitCode::success);

    for (const char* event :
         {"ModuleLoaded stp", "ModuleLoaded bridge",
          "InterfacesAdded /org/kmodd/Manager1/module/stp org.kmodd.Module1",
          "InterfacesAdded /org/kmodd/Manager1/module/bridge org.kmodd.Module1"}) {
        EXPECT_TRUE(subscriber.waitFor(event)) << event << " not among:\n" << subscriber.events();
    }
}

TEST_F(ASubscriber, SeesModuleUnloadedAndTheModuleObjectRemoved) {
    ASSERT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);
    Subscriber subscriber;

    ASSERT_EQ(kmodctl({"unload", "dummy"}).exitCode, exitCode::success);

    for (const char* event :
         {"ModuleUnloaded dummy",
          "InterfacesRemoved /org/kmodd/Manager1/module/dummy org.kmodd.Module1"}) {
        EXPECT_TRUE(subscriber.waitFor(event)) << event << " not among:\n" << subscriber.events();
    }
}

TEST_F(ASubscriber, SeesPropertiesChangedWhenAModuleGainsAHolder) {
    ASSERT_EQ(kmodctl({"load", "stp"}).exitCode, exitCode::success);
    Subscriber subscriber;
    subscriber.watchProperties("/org/kmodd/Manager1/module/stp");

    ASSERT_EQ(kmodctl({"load", "bridge"}).exitCode, exitCode::success);

    for (const char* event : {"PropertiesChanged /org/kmodd/Manager1/module/stp Holders=bridge",
                              "PropertiesChanged /org/kmodd/Manager1/module/stp RefCount=1"}) {
        EXPECT_TRUE(subscriber.waitFor(event)) << event << " not among:\n" << subscriber.events();
    }
}

TEST_F(AnObjectManager, ListsAnObjectForEveryLoadedModuleByEscapedName) {
    ASSERT_EQ(kmodctl({"load", "bridge"}).exitCode, exitCode::success);
    ASSERT_EQ(kmodctl({"load", "snd-dummy"}).exitCode, exitCode::success);

    const auto objects = busctl({"--json=short", "call", busName, managerPath,
                                 "org.freedesktop.DBus.ObjectManager", "GetManagedObjects"});

    ASSERT_EQ(objects.exitCode, 0) << objects.describe();
    for (const char* path : {"/org/kmodd/Manager1/module/bridge", "/org/kmodd/Manager1/module/stp",
                             "/org/kmodd/Manager1/module/snd_dummy"}) {
        EXPECT_THAT(objects.out, ::testing::HasSubstr(std::string("\"") + path + "\""));
    }
}

TEST_F(TheMonitorCommand, PrintsModulesAsTheyComeAndGo) {
    Subprocess monitor({KMODCTL, "monitor"});

    ASSERT_NO_FATAL_FAILURE(waitUntilSubscribed(monitor));
    ASSERT_EQ(kmodctl({"load", "veth"}).exitCode, exitCode::success);
    ASSERT_EQ(kmodctl({"unload", "veth"}).exitCode, exitCode::success);

    EXPECT_TRUE(monitor.waitForOutput("unloaded veth\n", 10s));
    const auto output = monitor.stop(5s);
    EXPECT_THAT(output.out, ::testing::ContainsRegex("(^|\n)loaded veth\n")) << output.describe();
}

} // namespace
} // namespace kmodd::testing

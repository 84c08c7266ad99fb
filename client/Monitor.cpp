#include "Monitor.h"

#include "DBusValues.h"
#include "ManagerProxy.h"
#include "Output.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <functional>
#include <iostream>
#include <poll.h>
#include <sdbus-c++/StandardInterfaces.h>
#include <sys/signalfd.h>
#include <system_error>
#include <unistd.h>

namespace kmodctl {
namespace {

using kmodd::wire::moduleInterface;

// One match rule for the PropertiesChanged of every module object, rather than one
// Properties_proxy (and one match rule) per module: a system with hundreds of modules would
// approach the bus's limit on match rules, and a proxy made on InterfacesAdded would miss the
// changes the daemon publishes right after it.
std::string propertiesChangedMatch() {
    return std::string("type='signal',sender='") + busName +
           "',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
           "path_namespace='" +
           managerPath + "',arg0='" + moduleInterface + "'";
}

using Report = std::function<void(const MonitorEvent&)>;
using InterfaceMap = std::map<std::string, std::map<std::string, sdbus::Variant>>;

/// Manager1's signals, and the ObjectManager's to know which module each object path is.
class ManagerWatcher final
    : public sdbus::ProxyInterfaces<org::kmodd::Manager1_proxy, sdbus::ObjectManager_proxy> {
  public:
    ManagerWatcher(sdbus::IConnection& connection, Report report)
        : ProxyInterfaces(connection, busName, managerPath), report_(std::move(report)) {
        registerProxy();
        propertiesChanged_ =
            connection.addMatch(propertiesChangedMatch(),
                                [this](sdbus::Message& message) { onPropertiesChanged(message); });
        for (const auto& [path, interfaces] : GetManagedObjects()) {
            remember(path, interfaces);
        }
    }

    ~ManagerWatcher() { unregisterProxy(); }

  private:
    void onModuleLoaded(const std::string& module) override {
        report_({MonitorEvent::Kind::Loaded, module, {}});
    }

    void onModuleUnloaded(const std::string& module) override {
        report_({MonitorEvent::Kind::Unloaded, module, {}});
    }

    void onInterfacesAdded(const sdbus::ObjectPath& path, const InterfaceMap& interfaces) override {
        remember(path, interfaces);
    }

    void onInterfacesRemoved(const sdbus::ObjectPath& path,
                             const std::vector<std::string>& interfaces) override {
        if (std::find(interfaces.begin(), interfaces.end(), moduleInterface) != interfaces.end()) {
            modules_.erase(path);
        }
    }

    void onPropertiesChanged(sdbus::Message& message) {
        std::string interface;
        std::map<std::string, sdbus::Variant> changed;
        message >> interface >> changed;
        report_({MonitorEvent::Kind::Changed, moduleAt(message.getPath()), toPropertyMap(changed)});
    }

    void remember(const std::string& path, const InterfaceMap& interfaces) {
        auto module = interfaces.find(moduleInterface);
        if (module == interfaces.end()) {
            return;
        }
        auto name = module->second.find("Name");
        if (name != module->second.end() && name->second.containsValueOfType<std::string>()) {
            modules_[path] = name->second.get<std::string>();
        }
    }

    // Module names need no escaping in practice, so the last path element is the fallback.
    std::string moduleAt(const std::string& path) const {
        auto known = modules_.find(path);
        return known != modules_.end() ? known->second : path.substr(path.rfind('/') + 1);
    }

    Report report_;
    std::map<std::string, std::string> modules_; // object path -> module name
    sdbus::Slot propertiesChanged_;
};

class SignalFd {
  public:
    explicit SignalFd(const sigset_t& signals) : fd_(::signalfd(-1, &signals, SFD_CLOEXEC)) {
        if (fd_ < 0) {
            throw std::system_error(errno, std::generic_category(), "signalfd");
        }
    }
    ~SignalFd() { ::close(fd_); }
    SignalFd(const SignalFd&) = delete;
    SignalFd& operator=(const SignalFd&) = delete;

    int get() const { return fd_; }

  private:
    int fd_;
};

} // namespace

ExitStatus runMonitor(sdbus::IConnection& connection, bool json) {
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &stopSignals, nullptr);
    const SignalFd stop(stopSignals);

    ManagerWatcher watcher(connection, [json](const MonitorEvent& event) {
        std::cout << formatMonitorEvent(event, json) << std::flush;
    });
    for (;;) {
        try {
            while (connection.processPendingRequest()) {
            }
        } catch (const sdbus::Error& error) {
            throw std::runtime_error("lost the connection to the system bus: " +
                                     error.getMessage());
        }
        if (!std::cout) {
            throw std::runtime_error("cannot write to standard output");
        }
        const auto bus = connection.getEventLoopPollData();
        pollfd fds[] = {{bus.fd, bus.events, 0}, {stop.get(), POLLIN, 0}};
        if (::poll(fds, 2, bus.getPollTimeout()) < 0 && errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "poll");
        }
        if (fds[1].revents & POLLIN) {
            return exitSuccess;
        }
    }
}

} // namespace kmodctl

#include "Monitor.h"

#include "ManagerClient.h"
#include "Output.h"
#include "Print.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <poll.h>
#include <sys/signalfd.h>
#include <system_error>
#include <time.h>
#include <unistd.h>
#include <utility>

namespace kmodctl {
namespace {

using kmodd::wire::moduleInterface;
constexpr const char* objectManagerInterface = "org.freedesktop.DBus.ObjectManager";

// One match rule for the PropertiesChanged of every module object, rather than one per module:
// a system with hundreds of modules would approach the bus's limit on match rules, and a rule
// added on InterfacesAdded would miss the changes the daemon publishes right after it.
std::string propertiesChangedMatch() {
    return std::string("type='signal',sender='") + busName +
           "',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
           "path_namespace='" +
           managerPath + "',arg0='" + moduleInterface + "'";
}

using Report = std::function<void(const MonitorEvent&)>;

struct SlotUnref {
    void operator()(sd_bus_slot* slot) const { sd_bus_slot_unref(slot); }
};
using Slot = std::unique_ptr<sd_bus_slot, SlotUnref>;

/// Manager1's signals, the module objects' property changes, and the ObjectManager's signals to
/// know which module each object path is. Subscribes before it asks for the objects, so that no
/// object appears unseen in between.
class ManagerWatcher {
  public:
    ManagerWatcher(SystemBus& bus, Report report) : bus_(bus), report_(std::move(report)) {
        subscribe(busName, managerPath, managerInterface, "ModuleLoaded",
                  &dispatch<&ManagerWatcher::loaded>);
        subscribe(busName, managerPath, managerInterface, "ModuleUnloaded",
                  &dispatch<&ManagerWatcher::unloaded>);
        subscribe(busName, managerPath, objectManagerInterface, "InterfacesAdded",
                  &dispatch<&ManagerWatcher::rememberInterfaces>);
        subscribe(busName, managerPath, objectManagerInterface, "InterfacesRemoved",
                  &dispatch<&ManagerWatcher::forgetInterfaces>);
        sd_bus_slot* slot = nullptr;
        check(sd_bus_add_match(bus_.get(), &slot, propertiesChangedMatch().c_str(),
                               &dispatch<&ManagerWatcher::propertiesChanged>, this));
        slots_.emplace_back(slot);
        BusMessage objects = bus_.call(
            bus_.newMethodCall(busName, managerPath, objectManagerInterface, "GetManagedObjects"),
            std::chrono::microseconds{0});
        objects.enterPresent('a', "{oa{sa{sv}}}");
        while (objects.enter('e', "oa{sa{sv}}")) {
            rememberInterfaces(objects);
            objects.exit();
        }
    }

    /// Rethrows what a signal handler could not hand through sd-bus's C frames.
    void rethrowFailure() {
        if (failure_) {
            std::rethrow_exception(std::exchange(failure_, nullptr));
        }
    }

  private:
    using Handler = void (ManagerWatcher::*)(BusMessage&);

    static void check(int result) {
        if (result < 0) {
            throw std::runtime_error(std::string("cannot subscribe to kmodd's signals: ") +
                                     std::strerror(-result));
        }
    }

    void subscribe(const char* sender, const char* path, const char* interface, const char* member,
                   sd_bus_message_handler_t handler) {
        sd_bus_slot* slot = nullptr;
        check(
            sd_bus_match_signal(bus_.get(), &slot, sender, path, interface, member, handler, this));
        slots_.emplace_back(slot);
    }

    // A signal that cannot be read (kmodd would not send one) is left out; anything else (the
    // output failing to grow) ends the monitor once sd-bus has returned.
    template <Handler handler>
    static int dispatch(sd_bus_message* message, void* self, sd_bus_error*) {
        auto& watcher = *static_cast<ManagerWatcher*>(self);
        try {
            BusMessage signal(sd_bus_message_ref(message));
            (watcher.*handler)(signal);
        } catch (const std::runtime_error&) {
        } catch (...) {
            watcher.failure_ = std::current_exception();
        }
        return 0;
    }

    void loaded(BusMessage& signal) {
        report_({MonitorEvent::Kind::Loaded, signal.readString(), {}});
    }

    void unloaded(BusMessage& signal) {
        report_({MonitorEvent::Kind::Unloaded, signal.readString(), {}});
    }

    // An object path and its a{sa{sv}} of interfaces, as in InterfacesAdded and
    // GetManagedObjects.
    void rememberInterfaces(BusMessage& message) {
        const std::string path = message.readString();
        message.enterPresent('a', "{sa{sv}}");
        while (message.enter('e', "sa{sv}")) {
            if (message.readString() != moduleInterface) {
                message.skip("a{sv}");
            } else if (PropertyMap properties = message.readPropertyMap();
                       properties.contains("Name")) {
                if (const auto* name = std::get_if<std::string>(&properties.at("Name"))) {
                    modules_[path] = *name;
                }
            }
            message.exit();
        }
        message.exit();
    }

    void forgetInterfaces(BusMessage& signal) {
        const std::string path = signal.readString();
        for (const std::string& interface : signal.readStrings()) {
            if (interface == moduleInterface) {
                modules_.erase(path);
            }
        }
    }

    void propertiesChanged(BusMessage& signal) {
        const char* path = sd_bus_message_get_path(signal.get());
        signal.readString(); // the interface, org.kmodd.Module1 by the match rule
        PropertyMap changed = signal.readPropertyMap();
        report_({MonitorEvent::Kind::Changed, moduleAt(path ? path : ""), std::move(changed)});
    }

    // Module names need no escaping in practice, so the last path element is the fallback.
    std::string moduleAt(const std::string& path) const {
        auto known = modules_.find(path);
        return known != modules_.end() ? known->second : path.substr(path.rfind('/') + 1);
    }

    SystemBus& bus_;
    Report report_;
    std::vector<Slot> slots_;
    std::map<std::string, std::string> modules_; // object path -> module name
    std::exception_ptr failure_;
};

// poll's timeout for sd-bus's deadline (CLOCK_MONOTONIC µs, UINT64_MAX for none).
int pollTimeout(std::uint64_t deadline) {
    if (deadline == UINT64_MAX) {
        return -1;
    }
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const std::uint64_t nowUs = static_cast<std::uint64_t>(now.tv_sec) * 1000000 +
                                static_cast<std::uint64_t>(now.tv_nsec) / 1000;
    if (deadline <= nowUs) {
        return 0;
    }
    return static_cast<int>(std::min<std::uint64_t>((deadline - nowUs + 999) / 1000, INT_MAX));
}

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

ExitStatus runMonitor(SystemBus& bus, bool json) {
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    ::sigprocmask(SIG_BLOCK, &stopSignals, nullptr);
    const SignalFd stop(stopSignals);

    ManagerWatcher watcher(bus, [json](const MonitorEvent& event) {
        print(stdout, formatMonitorEvent(event, json));
        std::fflush(stdout);
    });
    for (;;) {
        int processed = 0;
        while ((processed = sd_bus_process(bus.get(), nullptr)) > 0) {
            watcher.rethrowFailure();
        }
        if (processed < 0) {
            throw std::runtime_error(std::string("lost the connection to the system bus: ") +
                                     std::strerror(-processed));
        }
        if (std::ferror(stdout)) {
            throw std::runtime_error("cannot write to standard output");
        }
        std::uint64_t timeout = 0;
        const int events = sd_bus_get_events(bus.get());
        if (events < 0 || sd_bus_get_timeout(bus.get(), &timeout) < 0) {
            throw std::runtime_error("lost the connection to the system bus");
        }
        pollfd fds[] = {{sd_bus_get_fd(bus.get()), static_cast<short>(events), 0},
                        {stop.get(), POLLIN, 0}};
        if (::poll(fds, 2, pollTimeout(timeout)) < 0 && errno != EINTR) {
            throw std::system_error(errno, std::generic_category(), "poll");
        }
        if (fds[1].revents & POLLIN) {
            return exitSuccess;
        }
    }
}

} // namespace kmodctl

#pragma once

#include "BusMessage.h"

#include <chrono>
#include <stdexcept>
#include <string>
#include <systemd/sd-bus.h>

namespace kmodctl {

/// A method call that failed: its D-Bus error name (e.g. org.kmodd.Error.NotFound, or
/// org.freedesktop.DBus.Error.ServiceUnknown from the bus) and the message that came with it.
class BusError : public std::runtime_error {
  public:
    BusError(std::string name, const std::string& message)
        : std::runtime_error(message), name_(std::move(name)) {}

    const std::string& name() const { return name_; }
    std::string message() const { return what(); }

  private:
    std::string name_;
};

/// kmodctl's one connection to kmodd, through sd-bus: to the system bus (or
/// DBUS_SYSTEM_BUS_ADDRESS), or, for root's calls, straight to kmodd's root socket.
class SystemBus {
  public:
    enum class Route {
        /// Root's calls go to kmodd's root socket ($KMODD_ROOT_SOCKET, or /run/kmodd/private
        /// unless DBUS_SYSTEM_BUS_ADDRESS names another bus) when kmodd listens there, as
        /// systemctl's go to /run/systemd/private: no bus daemon in between; everything else
        /// goes through the bus.
        RootSocketFirst,
        Bus, ///< the bus only: signals are sent there
    };

    /// Connects; throws std::runtime_error "cannot connect to the system bus: ..." when it cannot.
    explicit SystemBus(Route route);
    ~SystemBus() { sd_bus_flush_close_unref(bus_); }
    SystemBus(const SystemBus&) = delete;
    SystemBus& operator=(const SystemBus&) = delete;

    sd_bus* get() const { return bus_; }

    /// A method call to member on interface of destination's object at path, to append to.
    BusMessage newMethodCall(const char* destination, const char* path, const char* interface,
                             const char* member);

    /// Sends the call and waits up to timeout for the reply (0: sd-bus's default, 25 s); an error
    /// reply, or none, throws BusError.
    BusMessage call(const BusMessage& methodCall, std::chrono::microseconds timeout);

  private:
    sd_bus* bus_ = nullptr;
};

} // namespace kmodctl

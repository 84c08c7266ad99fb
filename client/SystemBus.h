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

/// kmodctl's one connection to the system bus (or to DBUS_SYSTEM_BUS_ADDRESS), through sd-bus.
class SystemBus {
  public:
    /// Connects; throws std::runtime_error "cannot connect to the system bus: ..." when it cannot.
    SystemBus();
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

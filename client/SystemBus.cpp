#include "SystemBus.h"

#include <cstring>
#include <memory>

namespace kmodctl {

SystemBus::SystemBus() {
    if (const int result = sd_bus_open_system(&bus_); result < 0) {
        throw std::runtime_error(std::string("cannot connect to the system bus: ") +
                                 std::strerror(-result));
    }
}

BusMessage SystemBus::newMethodCall(const char* destination, const char* path,
                                    const char* interface, const char* member) {
    sd_bus_message* message = nullptr;
    if (const int result =
            sd_bus_message_new_method_call(bus_, &message, destination, path, interface, member);
        result < 0) {
        throw std::runtime_error(std::string("cannot make a D-Bus method call: ") +
                                 std::strerror(-result));
    }
    return BusMessage(message);
}

BusMessage SystemBus::call(const BusMessage& methodCall, std::chrono::microseconds timeout) {
    sd_bus_error error = SD_BUS_ERROR_NULL;
    const std::unique_ptr<sd_bus_error, void (*)(sd_bus_error*)> freed(&error, sd_bus_error_free);
    sd_bus_message* reply = nullptr;
    if (sd_bus_call(bus_, methodCall.get(), static_cast<std::uint64_t>(timeout.count()), &error,
                    &reply) < 0) {
        throw BusError(error.name ? error.name : "org.freedesktop.DBus.Error.Failed",
                       error.message ? error.message : "");
    }
    return BusMessage(reply);
}

} // namespace kmodctl

#include "SystemBus.h"

#include "WireNames.h"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <unistd.h>

namespace kmodctl {
namespace {

// A D-Bus address escapes every byte but [-0-9A-Za-z_/.\\] as %XX.
std::string addressOf(std::string_view socketPath) {
    constexpr char hex[] = "0123456789abcdef";
    std::string address = "unix:path=";
    for (const char c : socketPath) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || std::strchr("-_/.\\", c) != nullptr) {
            address += c;
        } else {
            address += {'%', hex[byte >> 4], hex[byte & 0xf]};
        }
    }
    return address;
}

// A connection to kmodd's root socket, or nullptr when there is none for this bus or kmodd
// does not listen there (not running, or started by the bus only when called): then the bus
// is asked, and activates it.
sd_bus* openRootSocket() {
    const char* path = std::getenv(kmodd::wire::rootSocketVariable);
    if (path == nullptr || *path == '\0') {
        path = kmodd::wire::defaultRootSocket();
    }
    if (path == nullptr) {
        return nullptr;
    }
    sd_bus* bus = nullptr;
    if (sd_bus_new(&bus) < 0) {
        return nullptr;
    }
    if (sd_bus_set_address(bus, addressOf(path).c_str()) < 0 || sd_bus_start(bus) < 0) {
        sd_bus_unref(bus);
        return nullptr;
    }
    return bus;
}

} // namespace

SystemBus::SystemBus(Route route) {
    if (route == Route::RootSocketFirst && ::geteuid() == 0) {
        bus_ = openRootSocket();
        if (bus_ != nullptr) {
            return;
        }
    }
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
    if (const int result = sd_bus_call(bus_, methodCall.get(),
                                       static_cast<std::uint64_t>(timeout.count()), &error, &reply);
        result < 0) {
        // Without an error reply (the connection lost), the errno is all there is to say.
        throw BusError(error.name ? error.name : "org.freedesktop.DBus.Error.Failed",
                       error.message ? error.message : std::strerror(-result));
    }
    return BusMessage(reply);
}

} // namespace kmodctl

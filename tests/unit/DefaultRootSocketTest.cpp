#include "WireNames.h"

#include <cstdlib>
#include <gtest/gtest.h>
#include <optional>
#include <string>

namespace {

using kmodd::wire::defaultRootSocket;

// Sets DBUS_SYSTEM_BUS_ADDRESS (or unsets it) for one test, and puts the old value back.
class WithSystemBusAddress {
  public:
    explicit WithSystemBusAddress(const char* address) {
        if (const char* old = std::getenv(variable)) {
            old_ = old;
        }
        if (address == nullptr) {
            ::unsetenv(variable);
        } else {
            ::setenv(variable, address, 1);
        }
    }
    ~WithSystemBusAddress() {
        if (old_) {
            ::setenv(variable, old_->c_str(), 1);
        } else {
            ::unsetenv(variable);
        }
    }
    WithSystemBusAddress(const WithSystemBusAddress&) = delete;
    WithSystemBusAddress& operator=(const WithSystemBusAddress&) = delete;

  private:
    static constexpr const char* variable = "DBUS_SYSTEM_BUS_ADDRESS";
    std::optional<std::string> old_;
};

TEST(TheDefaultRootSocket, IsTheSystemKmoddsOnTheStandardSystemBus) {
    {
        const WithSystemBusAddress unset(nullptr);
        EXPECT_STREQ(defaultRootSocket(), "/run/kmodd/private");
    }
    const WithSystemBusAddress empty("");
    EXPECT_STREQ(defaultRootSocket(), "/run/kmodd/private");
}

// Another bus's kmodd must not take the system kmodd's socket, nor root's kmodctl be sent to
// the system kmodd when it asked for another bus.
TEST(TheDefaultRootSocket, IsNoneWhenDbusSystemBusAddressNamesAnotherBus) {
    const WithSystemBusAddress other("unix:path=/tmp/another-bus");

    EXPECT_EQ(defaultRootSocket(), nullptr);
}

} // namespace

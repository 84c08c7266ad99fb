#include "ServiceTest.h"

#include <gmock/gmock.h>

namespace kmodd::testing {
namespace {

class TheBusPolicy : public ServiceTest {
  protected:
    // RequestName with DBUS_NAME_FLAG_DO_NOT_QUEUE: kmodd owns the name, so a caller the
    // policy lets own it gets 3 (exists), any other is refused by the bus.
    Outcome requestName(std::optional<Credentials> user) {
        return busctl({"call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                       "org.freedesktop.DBus", "RequestName", "su", busName, "4"},
                      user);
    }
};

TEST_F(TheBusPolicy, LetsOnlyRootOwnTheName) {
    const auto root = requestName(std::nullopt);
    const auto nobody = requestName(accounts::nobody);

    EXPECT_EQ(root.exitCode, 0) << root.describe();
    EXPECT_EQ(root.out, "u 3\n");
    EXPECT_NE(nobody.exitCode, 0) << nobody.describe();
    EXPECT_THAT(nobody.err, ::testing::HasSubstr("Access denied"));
}

} // namespace
} // namespace kmodd::testing

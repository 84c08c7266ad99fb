#include "ServiceTest.h"

#include <gmock/gmock.h>

namespace kmodd::testing {
namespace {

class WithoutPolkit : public ServiceTest {
  protected:
    void SetUp() override {
        ServiceTest::SetUp();
        stopPolkit();
    }
};

TEST_F(WithoutPolkit, AnUnprivilegedCallerIsRefusedWithAMessageSayingSo) {
    // A user polkit's rules would allow: only the missing authority can refuse it.
    const auto load = kmodctl({"--no-ask-password", "load", "dummy"}, accounts::trusted);

    EXPECT_EQ(load.exitCode, exitCode::notAllowed) << load.describe();
    EXPECT_THAT(load.err, ::testing::ContainsRegex("[Pp]olkit"));
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(WithoutPolkit, RootIsStillServed) {
    const auto load = kmodctl({"load", "dummy"});

    EXPECT_EQ(load.exitCode, exitCode::success) << load.describe();
    EXPECT_TRUE(isLoaded("dummy"));
}

} // namespace
} // namespace kmodd::testing

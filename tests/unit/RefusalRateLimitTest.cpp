#include "RefusalRateLimit.h"

#include <gtest/gtest.h>

using namespace kmodd;
using namespace std::chrono_literals;

namespace {

constexpr uid_t nobody = 65534;
constexpr uid_t root = 0;

class ARefusalRateLimit : public ::testing::Test {
  protected:
    RefusalRateLimit::Verdict admit(uid_t uid) { return limit.admit(uid, now); }

    RefusalRateLimit limit{3, 10s};
    RefusalRateLimit::Clock::time_point now{};
};

} // namespace

TEST_F(ARefusalRateLimit, LogsTheFirstRefusalsOfAUidUpToTheBurst) {
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(admit(nobody).log) << i;
    }
    EXPECT_FALSE(admit(nobody).log);
    EXPECT_FALSE(admit(nobody).log);
}

TEST_F(ARefusalRateLimit, SummarisesTheSuppressedOnesWithTheNextRefusalOfANewInterval) {
    for (int i = 0; i < 5; ++i) {
        admit(nobody);
    }
    now += 10s;
    const auto verdict = admit(nobody);
    EXPECT_TRUE(verdict.log);
    EXPECT_EQ(verdict.suppressed, 2U);
    EXPECT_EQ(admit(nobody).suppressed, 0U);
}

TEST_F(ARefusalRateLimit, NeverSuppressesRootForAnotherUidsFlood) {
    for (int i = 0; i < 1000; ++i) {
        admit(nobody);
    }
    const auto verdict = admit(root);
    EXPECT_TRUE(verdict.log);
    EXPECT_EQ(verdict.suppressed, 0U);
}

TEST_F(ARefusalRateLimit, KeepsCountingAUidWhileManyOthersComeAndGo) {
    for (int i = 0; i < 5; ++i) {
        admit(nobody);
    }
    for (uid_t uid = 1000; uid < 3000; ++uid) {
        admit(uid);
    }
    now += 10s;
    EXPECT_EQ(admit(nobody).suppressed, 2U);
}

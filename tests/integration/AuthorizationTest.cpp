#include "ServiceTest.h"

#include <gmock/gmock.h>

namespace kmodd::testing {
namespace {

using ::testing::HasSubstr;

class AnUnprivilegedCaller : public ServiceTest {};
class TheModuleDetail : public ServiceTest {};
class TheExampleRules : public ServiceTest {};

TEST_F(AnUnprivilegedCaller, IsRefusedByPolkitWhenNoRuleAllowsIt) {
    const auto load = kmodctl({"--no-ask-password", "load", "dummy"}, accounts::nobody);

    EXPECT_EQ(load.exitCode, exitCode::notAllowed) << load.describe();
    EXPECT_THAT(load.err, HasSubstr("dummy"));
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(AnUnprivilegedCaller, IsRefusedWhenItMayBeAskedForAPasswordButNoAgentRuns) {
    const auto load = kmodctl({"load", "dummy"}, accounts::nobody);

    EXPECT_EQ(load.exitCode, exitCode::notAllowed) << load.describe();
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(AnUnprivilegedCaller, IsRefusedUnloadingAndReloadingWhenNoRuleAllowsIt) {
    ASSERT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);

    const auto unload = kmodctl({"--no-ask-password", "unload", "dummy"}, accounts::nobody);
    const auto reload = kmodctl({"--no-ask-password", "reload"}, accounts::nobody);

    EXPECT_EQ(unload.exitCode, exitCode::notAllowed) << unload.describe();
    EXPECT_EQ(reload.exitCode, exitCode::notAllowed) << reload.describe();
    EXPECT_TRUE(isLoaded("dummy"));
}

TEST_F(AnUnprivilegedCaller, MayListAndAskForStatusWithoutAuthorization) {
    ASSERT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);

    const auto list = kmodctl({"list"}, accounts::nobody);
    const auto status = kmodctl({"status", "dummy"}, accounts::nobody);

    EXPECT_EQ(list.exitCode, exitCode::success) << list.describe();
    EXPECT_THAT(list.out, HasSubstr("dummy"));
    EXPECT_EQ(status.exitCode, exitCode::success) << status.describe();
}

TEST_F(AnUnprivilegedCaller, IsAllowedWhatARulesFileAllowsIt) {
    const auto trusted = accounts::trusted;

    const auto load = kmodctl({"--no-ask-password", "load", "dummy"}, trusted);
    ASSERT_EQ(load.exitCode, exitCode::success) << load.describe();
    EXPECT_TRUE(isLoaded("dummy"));

    const auto unload = kmodctl({"--no-ask-password", "unload", "dummy"}, trusted);
    EXPECT_EQ(unload.exitCode, exitCode::success) << unload.describe();
    EXPECT_FALSE(isLoaded("dummy"));

    const auto reload = kmodctl({"--no-ask-password", "reload"}, trusted);
    EXPECT_EQ(reload.exitCode, exitCode::success) << reload.describe();
}

TEST_F(AnUnprivilegedCaller, AllowedByPolkitIsStillBoundByTheKmoddPolicy) {
    const auto load = kmodctl({"--no-ask-password", "load", "floppy"}, accounts::trusted);

    EXPECT_EQ(load.exitCode, exitCode::notAllowed) << load.describe();
    EXPECT_FALSE(isLoaded("floppy"));
}

TEST_F(TheModuleDetail, LetsARuleAllowOneModuleOnly) {
    const auto dummy = kmodctl({"--no-ask-password", "load", "dummy"}, accounts::dummyOnly);
    const auto veth = kmodctl({"--no-ask-password", "load", "veth"}, accounts::dummyOnly);

    EXPECT_EQ(dummy.exitCode, exitCode::success) << dummy.describe();
    EXPECT_EQ(veth.exitCode, exitCode::notAllowed) << veth.describe();
    EXPECT_TRUE(isLoaded("dummy"));
    EXPECT_FALSE(isLoaded("veth"));
}

TEST_F(TheExampleRules, LetGroupMembersLoadTheAllowlistedModulesWithoutAPassword) {
    const auto member = accounts::groupMember;

    const auto sound = kmodctl({"--no-ask-password", "load", "snd-dummy"}, member);
    const auto alias = kmodctl({"--no-ask-password", "load", "rtnl-link-ifb"}, member);
    const auto unload = kmodctl({"--no-ask-password", "unload", "ifb"}, member);

    EXPECT_EQ(sound.exitCode, exitCode::success) << sound.describe();
    EXPECT_EQ(alias.exitCode, exitCode::success) << alias.describe();
    EXPECT_EQ(unload.exitCode, exitCode::success) << unload.describe();
    EXPECT_TRUE(isLoaded("snd_dummy"));
    EXPECT_FALSE(isLoaded("ifb"));
}

TEST_F(TheExampleRules, LeaveOtherModulesToTheAdministrator) {
    const auto load = kmodctl({"--no-ask-password", "load", "zram"}, accounts::groupMember);

    EXPECT_EQ(load.exitCode, exitCode::notAllowed) << load.describe();
    EXPECT_FALSE(isLoaded("zram"));
}

TEST_F(TheExampleRules, DoNotApplyToUsersOutsideTheGroup) {
    const auto load = kmodctl({"--no-ask-password", "load", "snd-dummy"}, accounts::nobody);

    EXPECT_EQ(load.exitCode, exitCode::notAllowed) << load.describe();
}

} // namespace
} // namespace kmodd::testing

#include "Authorization.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace kmodd;
using ::testing::HasSubstr;

TEST(Authorization, SkipsPolkitForRootOnly) {
    EXPECT_TRUE(skipsPolkit(0));
    EXPECT_FALSE(skipsPolkit(1000));
    EXPECT_FALSE(skipsPolkit(static_cast<uid_t>(-1)));
}

TEST(Authorization, UsesOnePolkitActionPerVerb) {
    EXPECT_EQ(actionId(Action::LoadModule), "org.kmodd.load-module");
    EXPECT_EQ(actionId(Action::UnloadModule), "org.kmodd.unload-module");
    EXPECT_EQ(actionId(Action::ReloadConfig), "org.kmodd.reload-config");
}

TEST(APolkitDecision, AllowsWhatPolkitAuthorized) {
    EXPECT_FALSE(polkitDecision(Action::LoadModule, "dummy", false, {true, false, {}}).has_value());
}

TEST(APolkitDecision, RefusesWhatPolkitDidNotAuthorize) {
    const auto refusal = polkitDecision(Action::UnloadModule, "dummy", false, {false, false, {}});

    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->kind(), ErrorKind::NotAuthorized);
    EXPECT_THAT(refusal->what(), HasSubstr("unload dummy"));
    EXPECT_THAT(refusal->what(), HasSubstr("org.kmodd.unload-module"));
}

TEST(APolkitDecision, SaysWhenAuthenticationWouldHaveHelped) {
    const auto refusal = polkitDecision(Action::LoadModule, "dummy", false, {false, true, {}});

    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->kind(), ErrorKind::NotAuthorized);
    EXPECT_THAT(refusal->what(), HasSubstr("authentication is required"));
    EXPECT_THAT(refusal->what(), HasSubstr("did not allow interactive"));
}

TEST(APolkitDecision, SaysWhenNoAgentCouldAskForAnInteractiveCheck) {
    const auto refusal = polkitDecision(Action::LoadModule, "dummy", true, {false, true, {}});

    ASSERT_TRUE(refusal.has_value());
    EXPECT_EQ(refusal->kind(), ErrorKind::NotAuthorized);
    EXPECT_THAT(refusal->what(), HasSubstr("no polkit authentication agent"));
}

TEST(APolkitDecision, SaysWhenTheUserDismissedTheDialog) {
    const auto refusal = polkitDecision(Action::LoadModule, "dummy", false,
                                        {false, false, {{"polkit.dismissed", "true"}}});

    ASSERT_TRUE(refusal.has_value());
    EXPECT_THAT(refusal->what(), HasSubstr("dismissed"));
}

TEST(APolkitFailure, RefusesAndSaysOnlyRootMayWhenPolkitIsUnreachable) {
    const Error refusal =
        polkitFailure(Action::LoadModule, "dummy", "org.freedesktop.DBus.Error.ServiceUnknown",
                      "The name org.freedesktop.PolicyKit1 was not provided");

    EXPECT_EQ(refusal.kind(), ErrorKind::NotAuthorized);
    EXPECT_THAT(refusal.what(), HasSubstr("polkit is not available"));
    EXPECT_THAT(refusal.what(), HasSubstr("ServiceUnknown"));
    EXPECT_THAT(refusal.what(), HasSubstr("only root may load dummy"));
}

TEST(APolkitFailure, RefusesWhenPolkitTimesOut) {
    const Error refusal = polkitFailure(
        Action::ReloadConfig, "", "org.freedesktop.DBus.Error.NoReply", "Method call timed out");

    EXPECT_EQ(refusal.kind(), ErrorKind::NotAuthorized);
    EXPECT_THAT(refusal.what(), HasSubstr("reload the kmodd configuration"));
}

TEST(APolkitFailure, NamesAnErrorOfPolkitItself) {
    const Error refusal = polkitFailure(Action::LoadModule, "dummy",
                                        "org.freedesktop.PolicyKit1.Error.Failed", "no such name");

    EXPECT_EQ(refusal.kind(), ErrorKind::NotAuthorized);
    EXPECT_THAT(refusal.what(), HasSubstr("polkit could not check"));
}

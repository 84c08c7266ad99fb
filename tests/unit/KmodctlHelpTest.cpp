#include "Help.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kmodctl {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

TEST(AKmodctlHelp, ListsEveryCommandAndTheExitStatuses) {
    const std::string help = helpText(std::nullopt);
    for (const char* synopsis : {"list", "load NAME [PARAM[=VALUE] ...]", "unload NAME",
                                 "status NAME", "monitor", "reload", "boot", "help [COMMAND]"}) {
        EXPECT_THAT(help, HasSubstr("\n  " + std::string(synopsis) + "  ")) << synopsis;
    }
    EXPECT_THAT(help, HasSubstr("3 not allowed, 4 no such module"));
}

TEST(AKmodctlHelp, ShowsACommandsUsageAndOptions) {
    const std::string help = helpText(Verb::Load);
    EXPECT_THAT(help, StartsWith("Usage: kmodctl [OPTIONS] load NAME [PARAM[=VALUE] ...]\n"));
    EXPECT_THAT(help, HasSubstr("--force-vermagic"));
    EXPECT_THAT(helpText(Verb::List), Not(HasSubstr("--force-vermagic")));
}

TEST(AKmodctlHelp, ShowsTheVersion) {
    EXPECT_THAT(versionText(), MatchesRegex("kmodctl [0-9]+\\.[0-9]+\\.[0-9]+\n"));
}

} // namespace
} // namespace kmodctl

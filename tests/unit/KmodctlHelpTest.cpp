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

TEST(AKmodctlHelp, HasAPageForEveryCommand) {
    for (Verb verb : {Verb::List, Verb::Load, Verb::Unload, Verb::Status, Verb::Monitor,
                      Verb::Reload, Verb::Boot}) {
        const std::string help = helpText(verb);
        EXPECT_THAT(help, StartsWith("Usage: kmodctl [OPTIONS] " + std::string(verbName(verb))))
            << help;
        EXPECT_THAT(help, HasSubstr("\nOptions:\n")) << help;
        EXPECT_THAT(help, HasSubstr("-h, --help")) << help;
        EXPECT_THAT(help, HasSubstr("Exit status:")) << help;
    }
}

TEST(AKmodctlHelp, ShowsTheVersion) {
    EXPECT_THAT(versionText(), MatchesRegex("kmodctl [0-9]+\\.[0-9]+\\.[0-9]+\n"));
}

} // namespace
} // namespace kmodctl

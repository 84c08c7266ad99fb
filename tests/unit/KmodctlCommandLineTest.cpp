#include "CommandLine.h"

#include "WireNames.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <vector>

namespace kmodctl {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

Invocation parse(std::vector<std::string_view> arguments) {
    return parseCommandLine(arguments);
}

std::string usageErrorFrom(std::vector<std::string_view> arguments) {
    try {
        parse(arguments);
    } catch (const UsageError& error) {
        return error.what();
    }
    ADD_FAILURE() << "no usage error";
    return {};
}

TEST(AKmodctlCommandLine, ListsWhenGivenNoCommand) {
    EXPECT_EQ(parse({}), Invocation{});
    EXPECT_EQ(parse({"--json"}).verb, Verb::List);
    EXPECT_TRUE(parse({"--json"}).json);
}

TEST(AKmodctlCommandLine, ReadsLoadWithItsModuleAndParameters) {
    const Invocation invocation = parse({"load", "dummy", "numdummies=2", "debug", "name=a=b"});
    EXPECT_EQ(invocation.verb, Verb::Load);
    EXPECT_EQ(invocation.module, "dummy");
    const std::map<std::string, std::string> expected{
        {"numdummies", "2"}, {"debug", ""}, {"name", "a=b"}};
    EXPECT_EQ(invocation.parameters, expected);
}

TEST(AKmodctlCommandLine, AcceptsOptionsBeforeAndAfterTheCommand) {
    const Invocation invocation =
        parse({"--no-ask-password", "load", "dummy", "--force-vermagic", "--json", "x=1"});
    EXPECT_FALSE(invocation.askPassword);
    EXPECT_TRUE(invocation.forceVermagic);
    EXPECT_TRUE(invocation.json);
    EXPECT_EQ(invocation.parameters.at("x"), "1");
}

TEST(AKmodctlCommandLine, TakesEverythingAfterADoubleDashAsAnArgument) {
    const Invocation invocation = parse({"load", "--", "--odd"});
    EXPECT_EQ(invocation.module, "--odd");
}

TEST(AKmodctlCommandLine, ReadsEveryCommandWithoutArguments) {
    EXPECT_EQ(parse({"list"}).verb, Verb::List);
    EXPECT_EQ(parse({"monitor"}).verb, Verb::Monitor);
    EXPECT_EQ(parse({"reload"}).verb, Verb::Reload);
    EXPECT_EQ(parse({"boot"}).verb, Verb::Boot);
}

TEST(AKmodctlCommandLine, ReadsUnloadAndStatusWithExactlyOneModule) {
    EXPECT_EQ(parse({"unload", "dummy"}).module, "dummy");
    EXPECT_EQ(parse({"status", "veth", "--json"}).verb, Verb::Status);
    EXPECT_THAT(usageErrorFrom({"unload"}), HasSubstr("'unload' needs a module name"));
    EXPECT_THAT(usageErrorFrom({"status", "a", "b"}),
                HasSubstr("unexpected argument 'b' for 'status'"));
}

TEST(AKmodctlCommandLine, ShowsHelpForACommandOrForAll) {
    EXPECT_EQ(parse({"--help"}).verb, Verb::Help);
    EXPECT_EQ(parse({"--help"}).helpTopic, std::nullopt);
    EXPECT_EQ(parse({"-h"}).verb, Verb::Help);
    EXPECT_EQ(parse({"help"}).helpTopic, std::nullopt);
    EXPECT_EQ(parse({"help", "load"}).helpTopic, Verb::Load);
    EXPECT_EQ(parse({"load", "--help"}).helpTopic, Verb::Load);
    EXPECT_EQ(parse({"unload", "--help"}).verb, Verb::Help) << "help needs no module name";
}

TEST(AKmodctlCommandLine, ShowsTheVersion) {
    EXPECT_EQ(parse({"--version"}).verb, Verb::Version);
    EXPECT_EQ(parse({"list", "--version"}).verb, Verb::Version);
}

TEST(AKmodctlCommandLine, RefusesUnknownCommandsAndOptions) {
    EXPECT_THAT(usageErrorFrom({"insmod", "dummy"}), HasSubstr("unknown command 'insmod'"));
    EXPECT_THAT(usageErrorFrom({"list", "--all"}), HasSubstr("unknown option '--all'"));
    EXPECT_THAT(usageErrorFrom({"--json=pretty"}), HasSubstr("unknown option '--json=pretty'"));
    EXPECT_THAT(usageErrorFrom({"-q"}), HasSubstr("unknown option '-q'"));
    EXPECT_THAT(usageErrorFrom({"help", "frobnicate"}), HasSubstr("unknown command 'frobnicate'"));
}

TEST(AKmodctlCommandLine, KnowsOptionsByTheirExactNameOnly) {
    EXPECT_THAT(usageErrorFrom({"-nh"}), HasSubstr("unknown option '-nh'"));
    EXPECT_THAT(usageErrorFrom({"load", "-5"}), HasSubstr("unknown option '-5'"));
    EXPECT_THAT(usageErrorFrom({"--dry-run=1", "load", "x"}),
                HasSubstr("unknown option '--dry-run=1'"));
}

TEST(AKmodctlCommandLine, ReadsNoOptionAfterADoubleDash) {
    const Invocation invocation = parse({"load", "--", "--json", "-n"});
    EXPECT_EQ(invocation.module, "--json");
    EXPECT_FALSE(invocation.json);
    EXPECT_EQ(invocation.parameters.count("-n"), 1u);
}

TEST(AKmodctlCommandLine, SuggestsTheCommandsCloseToAMisspeltOne) {
    EXPECT_THAT(usageErrorFrom({"lod", "dummy"}),
                EndsWith("unknown command 'lod'; did you mean load?"));
    EXPECT_THAT(usageErrorFrom({"stauts", "dummy"}), EndsWith("; did you mean status?"));
    EXPECT_THAT(usageErrorFrom({"help", "unlod"}), EndsWith("; did you mean unload?"));
    EXPECT_THAT(usageErrorFrom({"insmod", "dummy"}), Not(HasSubstr("did you mean")));
}

TEST(AKmodctlCommandLine, RefusesForceOptionsOutsideLoad) {
    EXPECT_THAT(usageErrorFrom({"unload", "dummy", "--force-vermagic"}),
                HasSubstr("--force-vermagic applies only to 'load'"));
    EXPECT_THAT(usageErrorFrom({"boot", "--force-modversion"}),
                HasSubstr("--force-modversion applies only to 'load'"));
}

TEST(AKmodctlCommandLine, RefusesDryRunOutsideLoadAndKeepDependenciesOutsideUnload) {
    EXPECT_THAT(usageErrorFrom({"unload", "dummy", "--dry-run"}),
                HasSubstr("--dry-run applies only to 'load'"));
    EXPECT_THAT(usageErrorFrom({"load", "dummy", "--keep-dependencies"}),
                HasSubstr("--keep-dependencies applies only to 'unload'"));
}

TEST(AKmodctlCommandLine, RefusesAParameterWithoutAName) {
    EXPECT_THAT(usageErrorFrom({"load", "dummy", "=2"}),
                HasSubstr("parameter '=2' has no name (expected PARAM=VALUE)"));
}

TEST(AKmodctlCommandLine, RefusesAParameterGivenTwice) {
    EXPECT_THAT(usageErrorFrom({"load", "dummy", "a=1", "a=2"}),
                HasSubstr("parameter 'a' is given twice"));
    EXPECT_THAT(usageErrorFrom({"load", "dummy", "max-ports=1", "max_ports=2"}),
                HasSubstr("parameter 'max_ports' is given twice (as 'max-ports'"));
}

TEST(AKmodctlParameter, SplitsAtTheFirstEqualsSign) {
    EXPECT_EQ(parseParameter("a=b=c"), std::make_pair(std::string("a"), std::string("b=c")));
    EXPECT_EQ(parseParameter("a="), std::make_pair(std::string("a"), std::string()));
    EXPECT_EQ(parseParameter("flag"), std::make_pair(std::string("flag"), std::string()));
}

TEST(AKmodctlCallFlags, AskInteractivelyUnlessToldNotTo) {
    EXPECT_EQ(callFlags(parse({"load", "dummy"})), kmodd::wire::flag::interactive);
    EXPECT_EQ(callFlags(parse({"load", "dummy", "--no-ask-password"})), 0u);
}

TEST(AKmodctlCallFlags, CarryTheForceOptions) {
    EXPECT_EQ(callFlags(parse({"load", "x", "--force-vermagic", "--force-modversion"})),
              kmodd::wire::flag::interactive | kmodd::wire::flag::forceVermagic |
                  kmodd::wire::flag::forceModversion);
    EXPECT_EQ(kmodd::wire::flag::forceVermagic, 0x2u);
    EXPECT_EQ(kmodd::wire::flag::forceModversion, 0x4u);
}

TEST(AKmodctlCallFlags, CarryDryRunAndKeepDependencies) {
    EXPECT_EQ(callFlags(parse({"load", "-n", "x", "--no-ask-password"})),
              kmodd::wire::flag::dryRun);
    EXPECT_EQ(callFlags(parse({"unload", "--keep-dependencies", "x", "--no-ask-password"})),
              kmodd::wire::flag::keepDependencies);
    EXPECT_EQ(kmodd::wire::flag::dryRun, 0x8u);
    EXPECT_EQ(kmodd::wire::flag::keepDependencies, 0x10u);
}

} // namespace
} // namespace kmodctl

#include "ServiceTest.h"

#include <gmock/gmock.h>
#include <sstream>

namespace kmodd::testing {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using namespace std::chrono_literals;

// One line of `kmodctl monitor --json`.
constexpr const char* jsonEvent = R"re(\{"event":"(loaded|unloaded|changed)","module":.*\})re";

class AMisspelledModuleName : public ServiceTest {};
class TheStatusOfALoadedModule : public ServiceTest {};
class KmodctlOnATerminal : public ServiceTest {
  protected:
    /// kmodctl with a pseudo-terminal as its stdout and stderr (util-linux script(1)).
    Outcome kmodctlOnATerminal(const std::string& arguments,
                               std::vector<std::string> environment = {}) {
        environment.push_back("TERM=xterm");
        return run({"script", "--quiet", "--return", "--command",
                    std::string(KMODCTL) + " " + arguments, "/dev/null"},
                   {.environment = environment});
    }
};
class TheJsonMonitor : public ServiceTest {};

TEST_F(AMisspelledModuleName, IsAnsweredWithTheCloseNamesOfTheModuleDirectory) {
    const auto load = kmodctl({"load", "dumy"});
    const auto status = kmodctl({"status", "brdige"});

    EXPECT_EQ(load.exitCode, exitCode::notFound) << load.describe();
    EXPECT_THAT(load.err,
                EndsWith("'dumy'" + std::string(" not found in ") +
                         modules().moduleDirectory().string() + "; did you mean dummy?\n"));
    EXPECT_EQ(status.exitCode, exitCode::notFound) << status.describe();
    EXPECT_THAT(status.err, EndsWith("; did you mean bridge?\n")) << status.describe();
}

TEST_F(AMisspelledModuleName, ToUnloadIsAnsweredWithTheCloseNamesOfTheLoadedModules) {
    ASSERT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);

    const auto loaded = kmodctl({"unload", "dumy"});
    const auto notLoaded = kmodctl({"unload", "vet"});

    EXPECT_EQ(loaded.exitCode, exitCode::notFound) << loaded.describe();
    EXPECT_THAT(loaded.err, EndsWith("; did you mean dummy?\n")) << loaded.describe();
    EXPECT_EQ(notLoaded.exitCode, exitCode::notFound) << notLoaded.describe();
    EXPECT_THAT(notLoaded.err, Not(HasSubstr("did you mean"))) << "veth is not loaded";
}

TEST_F(AMisspelledModuleName, GetsNoSuggestionWhenNothingIsClose) {
    const auto load = kmodctl({"load", "nosuchmodule"});

    EXPECT_EQ(load.exitCode, exitCode::notFound) << load.describe();
    EXPECT_THAT(load.err, Not(HasSubstr("did you mean")));
}

TEST_F(TheStatusOfALoadedModule, ShowsItsParametersWithTheirCurrentValues) {
    ASSERT_EQ(kmodctl({"load", "dummy", "numdummies=3"}).exitCode, exitCode::success);

    const auto status = kmodctl({"status", "dummy"});

    ASSERT_EQ(status.exitCode, exitCode::success) << status.describe();
    EXPECT_THAT(status.out, HasSubstr("Parameters: numdummies=3\n"));
}

TEST_F(KmodctlOnATerminal, ColoursTheStateOfLiveModulesAndTheErrorPrefix) {
    ASSERT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);

    const auto list = kmodctlOnATerminal("list");
    const auto error = kmodctlOnATerminal("load floppy");

    EXPECT_THAT(list.out, HasSubstr("\x1b[0;32mlive\x1b[0m")) << list.describe();
    EXPECT_THAT(error.out, HasSubstr("\x1b[0;1;31mkmodctl:\x1b[0m")) << error.describe();
    EXPECT_EQ(error.exitCode, exitCode::notAllowed) << error.describe();
}

TEST_F(KmodctlOnATerminal, UsesNoColoursWithNoColorSetOrForJson) {
    ASSERT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);

    const auto noColor = kmodctlOnATerminal("list", {"NO_COLOR=1"});
    const auto json = kmodctlOnATerminal("list --json");
    const auto pipe = kmodctl({"list"});

    for (const auto* outcome : {&noColor, &json, &pipe}) {
        EXPECT_THAT(outcome->out, HasSubstr("live")) << outcome->describe();
        EXPECT_THAT(outcome->out, Not(HasSubstr("\x1b["))) << outcome->describe();
    }
}

TEST_F(TheJsonMonitor, PrintsOneJsonObjectPerLine) {
    Subprocess monitor({KMODCTL, "monitor", "--json"});

    ASSERT_NO_FATAL_FAILURE(waitUntilSubscribed(monitor));
    ASSERT_EQ(kmodctl({"load", "veth"}).exitCode, exitCode::success);
    ASSERT_EQ(kmodctl({"unload", "veth"}).exitCode, exitCode::success);

    EXPECT_TRUE(monitor.waitForOutput(R"({"event":"unloaded","module":"veth"})"
                                      "\n",
                                      10s));
    const auto output = monitor.stop(5s);
    EXPECT_THAT(output.out, HasSubstr("\n"
                                      R"({"event":"loaded","module":"veth"})"
                                      "\n"))
        << output.describe();
    std::istringstream lines(output.out);
    for (std::string line; std::getline(lines, line);) {
        EXPECT_THAT(line, MatchesRegex(jsonEvent));
    }
}

} // namespace
} // namespace kmodd::testing

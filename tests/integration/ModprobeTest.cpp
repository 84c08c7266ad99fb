// The machine's module configuration through the whole service: the daemon's modprobe.d and
// kernel command line are the test's own (PrivateModprobeConfig), never the host's.
#include "ServiceTest.h"
#include "WireNames.h"

#include <gmock/gmock.h>

namespace kmodd::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

class AMachineWithModprobeConfiguration : public ServiceTest {
  protected:
    DaemonOptions daemonOptions() const override {
        return {.modprobeFiles = {{"test.conf", "options dummy label=modprobe-d\n"
                                                "softdep bridge pre: veth\n"
                                                "# hardening\n"
                                                "install zram /bin/false\n"
                                                "install snd-dummy /usr/bin/logger loaded\n"
                                                "blacklist ifb\n"}},
                .kernelCommandLine = "quiet dummy.label=cmdline"};
    }
};

TEST_F(AMachineWithModprobeConfiguration, PutsTheKernelCommandLineAboveModprobeDAndYamlAbove) {
    const auto load = kmodctl({"--json", "load", "dummy"});

    ASSERT_EQ(load.exitCode, exitCode::success) << load.describe();
    EXPECT_THAT(load.out, HasSubstr(R"("parameters":"label=cmdline numdummies=2")")) << load.out;
}

TEST_F(AMachineWithModprobeConfiguration, LetsTheRequestOverrideEveryLayer) {
    const auto load = kmodctl({"--verbose", "load", "dummy", "label=request"});

    ASSERT_EQ(load.exitCode, exitCode::success) << load.describe();
    EXPECT_THAT(load.out, HasSubstr("Parameters of dummy: label=request numdummies=2"));
}

TEST_F(AMachineWithModprobeConfiguration,
       LoadsASoftDependencyRightBeforeTheModuleAndUnloadsItWithTheModule) {
    const auto load = kmodctl({"--json", "load", "bridge"});
    ASSERT_EQ(load.exitCode, exitCode::success) << load.describe();
    EXPECT_THAT(load.out, HasSubstr(R"("inserted":["stp","veth","bridge"])")) << load.out;

    const auto unload = kmodctl({"--json", "unload", "bridge"});
    ASSERT_EQ(unload.exitCode, exitCode::success) << unload.describe();
    EXPECT_THAT(unload.out, HasSubstr(R"("unloaded":["bridge","veth","stp"])")) << unload.out;
    EXPECT_EQ(loadedModules(), std::vector<std::string>{});
}

TEST_F(AMachineWithModprobeConfiguration, KeepsWhatTheLoadBroughtWhenAskedTo) {
    ASSERT_EQ(kmodctl({"load", "bridge"}).exitCode, exitCode::success);

    const auto unload = kmodctl({"--json", "unload", "--keep-dependencies", "bridge"});

    ASSERT_EQ(unload.exitCode, exitCode::success) << unload.describe();
    EXPECT_THAT(unload.out, HasSubstr(R"("unloaded":["bridge"])"));
    EXPECT_TRUE(isLoaded("stp"));
    EXPECT_TRUE(isLoaded("veth"));
}

TEST_F(AMachineWithModprobeConfiguration, RefusesAModuleAnInstallRuleDisablesNamingTheFile) {
    const auto load = kmodctl({"load", "zram"});

    EXPECT_EQ(load.exitCode, exitCode::notAllowed) << load.describe();
    EXPECT_THAT(load.err, HasSubstr("'install zram /bin/false' in /etc/modprobe.d/test.conf "
                                    "line 4 disables it"));
    EXPECT_FALSE(isLoaded("zram"));
    EXPECT_EQ(errorNameOf([&] {
                  manager()
                      .callMethod("Load")
                      .onInterface(managerInterface)
                      .withArguments("zram", std::map<std::string, std::string>{},
                                     std::uint64_t{0});
              }),
              kmodd::wire::error::busName(kmodd::wire::error::notAllowed));
}

TEST_F(AMachineWithModprobeConfiguration, RunsNoInstallCommand) {
    const auto load = kmodctl({"load", "snd-dummy"});

    EXPECT_EQ(load.exitCode, exitCode::notAllowed) << load.describe();
    EXPECT_THAT(load.err, HasSubstr("kmodd runs no commands"));
    EXPECT_FALSE(isLoaded("snd_dummy"));
}

TEST_F(AMachineWithModprobeConfiguration, NeverLoadsABlacklistedModuleThroughAnAlias) {
    const auto alias = kmodctl({"load", "rtnl-link-ifb"});
    EXPECT_EQ(alias.exitCode, exitCode::notAllowed) << alias.describe();
    EXPECT_THAT(alias.err, HasSubstr("blacklists"));
    EXPECT_FALSE(isLoaded("ifb"));

    EXPECT_EQ(kmodctl({"load", "ifb"}).exitCode, exitCode::success);
}

TEST_F(AMachineWithModprobeConfiguration, ShowsADryRunToAnyoneWithoutPolkitAndLoadsNothing) {
    const auto plan =
        kmodctl({"--no-ask-password", "load", "--dry-run", "bridge"}, accounts::nobody);

    ASSERT_EQ(plan.exitCode, exitCode::success) << plan.describe();
    EXPECT_THAT(plan.out, AllOf(HasSubstr("insert veth " + modules().pathOf("veth").string()),
                                HasSubstr("insert stp "), HasSubstr("insert bridge ")));
    EXPECT_EQ(loadedModules(), std::vector<std::string>{});
}

TEST_F(AMachineWithModprobeConfiguration, ChecksADryRunAgainstThePolicy) {
    const auto plan =
        kmodctl({"--no-ask-password", "load", "--dry-run", "floppy"}, accounts::nobody);

    EXPECT_EQ(plan.exitCode, exitCode::notAllowed) << plan.describe();
    EXPECT_THAT(plan.out, Not(HasSubstr("insert")));
}

TEST_F(AMachineWithModprobeConfiguration, RefusesAValueOfTheWrongTypeNamingTheType) {
    const auto load = kmodctl({"load", "dummy", "numdummies=two"});

    EXPECT_EQ(load.exitCode, exitCode::failed) << load.describe();
    EXPECT_THAT(load.err, HasSubstr("parameter 'numdummies' of dummy takes int"));
    EXPECT_FALSE(isLoaded("dummy"));
}

class AFailingLoad : public ServiceTest {
  protected:
    DaemonOptions daemonOptions() const override {
        return {.environment = {"KMODD_FAKE_FAILURES=finit:bridge:ENODEV"}};
    }
};

TEST_F(AFailingLoad, RemovesWhatItInsertedAndSaysSo) {
    const auto load = kmodctl({"load", "bridge"});

    EXPECT_EQ(load.exitCode, exitCode::failed) << load.describe();
    EXPECT_THAT(load.err, HasSubstr("removed again what this request had inserted: stp"));
    EXPECT_EQ(loadedModules(), std::vector<std::string>{});
}

} // namespace
} // namespace kmodd::testing

// The machine's module configuration (modprobe.d, modules.softdep) as kmodd applies it: what
// modprobe would load, with kmodd's stricter checks.
#include "CheckedPlan.h"
#include "Error.h"
#include "ErrorFrom.h"
#include "FakeKernel.h"
#include "ModuleEngine.h"
#include "ModuleTree.h"

#include <cerrno>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <sys/stat.h>

namespace kmodd {
namespace {

using ::testing::ElementsAre;
using testing::errorFrom;
using testing::FakeKernel;
using ::testing::HasSubstr;
using testing::ModuleTree;
using testing::names;
using Call = FakeKernel::Call;

class TheModprobeConfiguration : public ::testing::Test {
  protected:
    void SetUp() override {
        tree.add({.name = "dummy", .parameters = {"numdummies:int", "label:charp"}});
        tree.add({.name = "nlmon"});
        tree.add({.name = "ifb", .parameters = {"numifbs:int"}});
        tree.add({.name = "udp-tunnel", .exports = {"udp_tunnel_sock"}});
        tree.add({.name = "vxlan", .uses = {"udp_tunnel_sock"}, .softdep = "pre: nlmon"});
        tree.add({.name = "brd", .aliases = {"block-major-1-*", "rd"}});
        tree.add({.name = "vcan"});
        tree.add({.name = "floppy"});
    }

    void start(Config config = {}) {
        tree.index();
        index = std::make_unique<ModuleIndex>(tree.moduleDirectory(),
                                              std::vector{tree.modprobeDirectory()});
        config.trustedPaths = {tree.trustedRoot()};
        engine = std::make_unique<ModuleEngine>(kernel, *index, std::move(config),
                                                std::make_shared<spdlog::logger>("test"));
    }

    LoadReport load(const std::string& name, std::initializer_list<const char*> texts = {}) {
        ParameterList parameters;
        const auto module = ModuleName::parse(name);
        for (const char* text : texts) {
            parameters.set(module, ParameterList::parseAssignment(module, text));
        }
        LoadPlan plan = engine->prepareLoad({name, parameters, {}});
        return engine->load(plan);
    }

    LoadPlan checkedPlan(const std::string& name) {
        return testing::checkedPlan(*engine, {name, {}, {}});
    }

    std::vector<std::string> loadOrder() const {
        std::vector<std::string> order;
        for (const auto& call : kernel.calls()) {
            if (call.call == Call::FinitModule) {
                order.push_back(call.module +
                                (call.parameters.empty() ? "" : " " + call.parameters));
            }
        }
        return order;
    }

    ModuleTree tree;
    FakeKernel kernel;
    std::unique_ptr<ModuleIndex> index;
    std::unique_ptr<ModuleEngine> engine;
};

TEST_F(TheModprobeConfiguration, GivesItsOptionsToTheModule) {
    tree.writeModprobeConfig("dummy.conf", "options dummy numdummies=3 label=\"two words\"\n");
    start();
    load("dummy");
    EXPECT_THAT(loadOrder(), ElementsAre("dummy numdummies=3 label=\"two words\""));
}

TEST_F(TheModprobeConfiguration, IsTheLowestLayerOfParametersBelowYamlAndTheRequest) {
    tree.writeModprobeConfig("dummy.conf", "options dummy numdummies=3 label=modprobe\n");
    Config config;
    ParameterList defaults;
    const auto dummy = ModuleName::parse("dummy");
    defaults.set(dummy, ParameterList::parseAssignment(dummy, "numdummies=4"));
    config.defaultParameters[dummy] = defaults;
    start(config);
    const LoadPlan plan = engine->prepareLoad({"dummy", {}, {}});
    EXPECT_EQ(plan.parameters.kernelString(), "numdummies=4 label=modprobe");
    load("dummy", {"label=request"});
    EXPECT_THAT(loadOrder(), ElementsAre("dummy numdummies=4 label=request"));
}

TEST_F(TheModprobeConfiguration, HasItsOptionsCheckedAgainstTheDeclaredTypes) {
    tree.writeModprobeConfig("dummy.conf", "options dummy numdummies=abc\n");
    start();
    EXPECT_THAT(errorFrom([&] { load("dummy"); }, ErrorKind::InvalidParameter),
                HasSubstr("parameter 'numdummies' of dummy takes int"));
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(TheModprobeConfiguration, HasItsOptionsCheckedAgainstTheDeclaredNames) {
    tree.writeModprobeConfig("dummy.conf", "options dummy bogus=1\n");
    start();
    EXPECT_THAT(errorFrom([&] { load("dummy"); }, ErrorKind::InvalidParameter),
                HasSubstr("dummy does not declare a parameter 'bogus'"));
}

TEST_F(TheModprobeConfiguration, LoadsPreSoftDependenciesFirstAndPostOnesAfterTheModule) {
    tree.writeModprobeConfig("dummy.conf", "softdep dummy pre: nlmon post: ifb\n");
    start();
    const auto report = load("dummy");
    EXPECT_THAT(loadOrder(), ElementsAre("nlmon", "dummy", "ifb"));
    EXPECT_THAT(names(report.inserted), ElementsAre("nlmon", "dummy", "ifb"));
    EXPECT_TRUE(report.skipped.empty());
}

TEST_F(TheModprobeConfiguration, LoadsTheSoftDependenciesModulesSoftdepNamesAroundADependency) {
    start();
    load("vxlan");
    EXPECT_THAT(loadOrder(), ElementsAre("udp_tunnel", "nlmon", "vxlan"));
}

TEST_F(TheModprobeConfiguration, GivesASoftDependencyItsOwnOptions) {
    tree.writeModprobeConfig("dummy.conf", "softdep dummy post: ifb\noptions ifb numifbs=0\n");
    start();
    load("dummy");
    EXPECT_THAT(loadOrder(), ElementsAre("dummy", "ifb numifbs=0"));
}

TEST_F(TheModprobeConfiguration, SkipsADeniedSoftDependencySayingWhyAndLoadsTheModule) {
    tree.writeModprobeConfig("dummy.conf", "softdep dummy pre: floppy nlmon\n");
    Config config;
    config.deny = {"floppy"};
    start(config);
    const auto report = load("dummy");
    EXPECT_THAT(loadOrder(), ElementsAre("nlmon", "dummy"));
    ASSERT_EQ(report.skipped.size(), 1U);
    EXPECT_EQ(report.skipped[0].module.str(), "floppy");
    EXPECT_THAT(report.skipped[0].reason,
                HasSubstr("soft dependency floppy of dummy is not loaded: "));
    EXPECT_THAT(report.skipped[0].reason, HasSubstr("denied"));
}

TEST_F(TheModprobeConfiguration, SkipsASoftDependencyWhoseFileIsUntrustedBeforeAuthorization) {
    tree.writeModprobeConfig("dummy.conf", "softdep dummy pre: nlmon\n");
    start();
    ::chmod(tree.pathOf("nlmon").c_str(), 0666);
    LoadPlan plan = checkedPlan("dummy");
    ASSERT_EQ(plan.skipped.size(), 1U);
    EXPECT_EQ(plan.skipped[0].module.str(), "nlmon");
    EXPECT_THAT(plan.skipped[0].reason, HasSubstr("writable by group or others"));
    engine->load(plan);
    EXPECT_THAT(loadOrder(), ElementsAre("dummy"));
}

TEST_F(TheModprobeConfiguration, SkipsASoftDependencyWhoseFileBecameUntrustedAfterAuthorization) {
    tree.writeModprobeConfig("dummy.conf", "softdep dummy pre: nlmon\n");
    start();
    LoadPlan plan = checkedPlan("dummy");
    ASSERT_TRUE(plan.skipped.empty());
    ::chmod(tree.pathOf("nlmon").c_str(), 0666);
    const auto report = engine->load(plan);
    EXPECT_THAT(loadOrder(), ElementsAre("dummy"));
    ASSERT_EQ(report.skipped.size(), 1U);
    EXPECT_THAT(report.skipped[0].reason, HasSubstr("writable by group or others"));
}

TEST_F(TheModprobeConfiguration, SkipsASoftDependencyAConfigReloadedMeanwhileDenies) {
    tree.writeModprobeConfig("dummy.conf", "softdep dummy pre: nlmon\n");
    start();
    LoadPlan plan = checkedPlan("dummy");
    Config denying;
    denying.trustedPaths = {tree.trustedRoot()};
    denying.deny = {"nlmon"};
    engine->setConfig(denying);
    const auto report = engine->load(plan);
    EXPECT_THAT(loadOrder(), ElementsAre("dummy"));
    ASSERT_EQ(report.skipped.size(), 1U);
    EXPECT_THAT(report.skipped[0].reason, HasSubstr("denied"));
}

TEST_F(TheModprobeConfiguration, SkipsAMissingSoftDependency) {
    tree.writeModprobeConfig("dummy.conf", "softdep dummy pre: no-such-module\n");
    start();
    const auto report = load("dummy");
    EXPECT_THAT(loadOrder(), ElementsAre("dummy"));
    ASSERT_EQ(report.skipped.size(), 1U);
    EXPECT_THAT(report.skipped[0].reason, HasSubstr("not found"));
}

TEST_F(TheModprobeConfiguration, SkipsASoftDependencyTheKernelRefusesAndLoadsTheModule) {
    tree.writeModprobeConfig("dummy.conf", "softdep dummy pre: nlmon\n");
    start();
    kernel.failNext(Call::FinitModule, "nlmon", ENODEV);
    const auto report = load("dummy");
    EXPECT_THAT(names(report.inserted), ElementsAre("dummy"));
    ASSERT_EQ(report.skipped.size(), 1U);
    EXPECT_THAT(report.skipped[0].reason, HasSubstr("cannot load nlmon: no device"));
}

TEST_F(TheModprobeConfiguration, TakesASoftDependencysOwnDependenciesBackWhenItFails) {
    tree.writeModprobeConfig("dummy.conf", "softdep dummy post: vxlan\n");
    start();
    kernel.failNext(Call::FinitModule, "vxlan", ENODEV);
    const auto report = load("dummy");
    EXPECT_THAT(names(report.inserted), ElementsAre("dummy"));
    ASSERT_EQ(report.skipped.size(), 1U);
    EXPECT_THAT(report.skipped[0].reason, HasSubstr("removed again what this request had "
                                                    "inserted: nlmon, udp_tunnel"));
    std::vector<std::string> loaded;
    for (const auto& module : kernel.loadedModules()) {
        loaded.push_back(module.name.str());
    }
    EXPECT_THAT(loaded, ElementsAre("dummy"));
}

TEST_F(TheModprobeConfiguration, UnloadsTheSoftDependenciesTheLoadInserted) {
    tree.writeModprobeConfig("dummy.conf", "softdep dummy pre: nlmon post: ifb\n");
    start();
    load("dummy");
    const auto report = engine->unload(engine->prepareUnload("dummy"));
    EXPECT_THAT(names(report.unloaded), ElementsAre("dummy", "ifb", "nlmon"));
    EXPECT_TRUE(kernel.loadedModules().empty());
}

TEST_F(TheModprobeConfiguration, DisablesAModuleWithInstallBinFalseNamingTheFileAndLine) {
    const auto file = tree.writeModprobeConfig("cis.conf", "# CIS 3.4\ninstall vcan /bin/false\n");
    start();
    EXPECT_EQ(errorFrom([&] { load("vcan"); }, ErrorKind::NotAllowed),
              "cannot load vcan: 'install vcan /bin/false' in " + file.string() +
                  " line 2 disables it");
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(TheModprobeConfiguration, DisablesAModuleWithInstallBinTrue) {
    tree.writeModprobeConfig("cis.conf", "install vcan /bin/true\n");
    start();
    EXPECT_THAT(errorFrom([&] { load("vcan"); }, ErrorKind::NotAllowed), HasSubstr("disables it"));
}

TEST_F(TheModprobeConfiguration, RefusesAnyOtherInstallCommandSayingKmoddRunsNoCommands) {
    tree.writeModprobeConfig("x.conf",
                             "install dummy /sbin/modprobe --ignore-install dummy; echo hi\n");
    start();
    EXPECT_THAT(errorFrom([&] { load("dummy"); }, ErrorKind::NotAllowed),
                HasSubstr("asks to run a command, and kmodd runs no commands"));
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(TheModprobeConfiguration, RefusesALoadWhoseDependencyAnInstallRuleDisables) {
    tree.writeModprobeConfig("cis.conf", "install udp_tunnel /bin/false\n");
    start();
    EXPECT_THAT(errorFrom([&] { load("vxlan"); }, ErrorKind::NotAllowed),
                HasSubstr("cannot load udp_tunnel: 'install udp_tunnel /bin/false'"));
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(TheModprobeConfiguration, SkipsASoftDependencyAnInstallRuleDisables) {
    tree.writeModprobeConfig("dummy.conf", "softdep dummy pre: vcan\ninstall vcan /bin/false\n");
    start();
    const auto report = load("dummy");
    EXPECT_THAT(names(report.inserted), ElementsAre("dummy"));
    ASSERT_EQ(report.skipped.size(), 1U);
    EXPECT_THAT(report.skipped[0].reason, HasSubstr("disables it"));
}

TEST_F(TheModprobeConfiguration, RefusesAnUnloadARemoveRuleAsksACommandFor) {
    tree.writeModprobeConfig("x.conf", "remove dummy /bin/false\n");
    start();
    load("dummy");
    EXPECT_THAT(errorFrom([&] { engine->prepareUnload("dummy"); }, ErrorKind::NotAllowed),
                HasSubstr("cannot unload dummy: 'remove dummy /bin/false'"));
}

TEST_F(TheModprobeConfiguration, NeverResolvesAnAliasToABlacklistedModule) {
    tree.writeModprobeConfig("blacklist.conf", "blacklist brd\n");
    start();
    EXPECT_EQ(errorFrom([&] { load("rd"); }, ErrorKind::NotAllowed),
              "cannot load 'rd': it is an alias of brd, which modprobe.d blacklists; as with "
              "modprobe, a blacklisted module is loaded only by its own name");
    EXPECT_TRUE(kernel.calls().empty());
    EXPECT_THAT(names(load("brd").inserted), ElementsAre("brd"));
}

TEST_F(TheModprobeConfiguration, StillRefusesADeniedModuleByName) {
    Config config;
    config.deny = {"brd"};
    start(config);
    EXPECT_THAT(errorFrom([&] { load("brd"); }, ErrorKind::NotAllowed), HasSubstr("brd"));
}

TEST_F(TheModprobeConfiguration, ShowsTheLayeredParametersAndSoftDependenciesInADryRun) {
    tree.writeModprobeConfig("dummy.conf",
                             "softdep dummy pre: nlmon\noptions dummy numdummies=3\n");
    start();
    const auto report = engine->describe(engine->prepareLoad({"dummy", {}, {}}));
    ASSERT_EQ(report.modules.size(), 2U);
    EXPECT_EQ(report.modules[0].module.str(), "nlmon");
    EXPECT_EQ(report.modules[1].parameters, "numdummies=3");
    EXPECT_EQ(report.modules[1].file, tree.pathOf("dummy"));
    EXPECT_TRUE(kernel.calls().empty());
}

TEST(AModprobeRule, IsFoundInTheFirstFileThatHasIt) {
    ModuleTree tree;
    tree.writeModprobeConfig("a.conf", "blacklist x\n");
    const auto file =
        tree.writeModprobeConfig("b.conf", "options y a=1\n  install   my-mod  /bin/false\n");
    EXPECT_EQ(findRule({tree.modprobeDirectory()}, "install", ModuleName::parse("my_mod")),
              file.string() + " line 2");
    EXPECT_EQ(findRule({tree.modprobeDirectory()}, "remove", ModuleName::parse("my_mod")),
              std::nullopt);
}

TEST(AParameterListFromOptions, SplitsAtSpacesOutsideQuotes) {
    const auto module = ModuleName::parse("m");
    EXPECT_EQ(ParameterList::parseOptions(module, "a=1  b=\"x y\" c").kernelString(),
              "a=1 b=\"x y\" c");
    EXPECT_TRUE(ParameterList::parseOptions(module, "").empty());
}

} // namespace
} // namespace kmodd

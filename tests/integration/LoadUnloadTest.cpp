#include "ServiceTest.h"
#include "WaitUntil.h"

#include <cstdint>
#include <gmock/gmock.h>
#include <optional>

namespace kmodd::testing {
namespace {

class ARootCaller : public ServiceTest {};
class TheStatusCommand : public ServiceTest {};
class TheListCommand : public ServiceTest {};

/// ListModules answers from a copy of the module table that kmodd rebuilds when the table
/// changes: these follow one module's entry through changes.
class TheModuleList : public ServiceTest {
  protected:
    using Entry = sdbus::Struct<std::string, std::string, std::uint32_t, std::vector<std::string>>;

    /// The module's entry in ListModules, or nothing when it is not listed.
    std::optional<Entry> entryOf(const std::string& module) {
        std::vector<Entry> listed;
        manager().callMethod("ListModules").onInterface(managerInterface).storeResultsTo(listed);
        for (const auto& entry : listed) {
            if (entry.get<0>() == module) {
                return entry;
            }
        }
        return std::nullopt;
    }
};

class ADaemonStartedAtBoot : public ServiceTest {
  protected:
    DaemonOptions daemonOptions() const override { return {.arguments = {"--load-boot-modules"}}; }
};

/// veth's modprobe.d options give it a parameter it does not declare.
class ABootListWithAnUndeclaredParameter : public ServiceTest {
  protected:
    DaemonOptions daemonOptions() const override {
        return {.modprobeFiles = {{"test.conf", "options veth nosuch=1\n"}}};
    }
};

class AModuleLoadedOutsideKmodd : public ServiceTest {
  protected:
    DaemonOptions daemonOptions() const override {
        return {.environment = {"KMODD_FAKE_PRELOADED=veth"}};
    }
};

std::vector<std::string> loadCall(const std::string& name) {
    return {"--json=short", "call",    busName, managerPath, managerInterface,
            "Load",         "sa{ss}t", name,    "0",         "0"};
}

TEST_F(ARootCaller, LoadsAndUnloadsAModuleWithKmodctl) {
    const auto load = kmodctl({"load", "dummy"});
    ASSERT_EQ(load.exitCode, exitCode::success) << load.describe();
    EXPECT_TRUE(isLoaded("dummy"));

    const auto unload = kmodctl({"unload", "dummy"});
    ASSERT_EQ(unload.exitCode, exitCode::success) << unload.describe();
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(ARootCaller, GetsTheDependenciesInsertedFirst) {
    const auto load = busctl(loadCall("bridge"));

    ASSERT_EQ(load.exitCode, 0) << load.describe();
    EXPECT_NE(load.out.find(R"("data":["bridge","loaded",["stp","bridge"],)"), std::string::npos)
        << load.out;
}

TEST_F(ARootCaller, LoadsAModuleByItsAlias) {
    const auto load = busctl(loadCall("rtnl-link-ifb"));

    ASSERT_EQ(load.exitCode, 0) << load.describe();
    EXPECT_NE(load.out.find(R"("data":["ifb","loaded",["ifb"],)"), std::string::npos) << load.out;
    EXPECT_TRUE(isLoaded("ifb"));
}

TEST_F(ARootCaller, LoadsACompressedModule) {
    const auto load = kmodctl({"load", "zram"});

    ASSERT_EQ(load.exitCode, exitCode::success) << load.describe() << daemonLog();
    EXPECT_TRUE(isLoaded("zram"));
}

TEST_F(ARootCaller, IsToldThatABuiltInModuleIsBuiltIn) {
    const auto load = busctl(loadCall("ext4"));

    ASSERT_EQ(load.exitCode, 0) << load.describe();
    EXPECT_NE(load.out.find(R"("data":["ext4","builtin",[],[],[]])"), std::string::npos)
        << load.out;
}

TEST_F(ARootCaller, SucceedsLoadingAModuleThatIsAlreadyLoaded) {
    ASSERT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);

    const auto again = busctl(loadCall("dummy"));

    ASSERT_EQ(again.exitCode, 0) << again.describe();
    EXPECT_NE(again.out.find(R"("data":["dummy","already-loaded",[],[],[]])"), std::string::npos)
        << again.out;
}

TEST_F(ARootCaller, GetsTheConfiguredDefaultParameters) {
    ASSERT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);

    const auto value = busctl({"get-property", busName, "/org/kmodd/Manager1/module/dummy",
                               moduleInterface, "Parameters"});

    ASSERT_EQ(value.exitCode, 0) << value.describe();
    EXPECT_EQ(value.out, "a{ss} 1 \"numdummies\" \"2\"\n");
}

TEST_F(ARootCaller, OverridesADefaultParameterByName) {
    const auto load = kmodctl({"load", "dummy", "numdummies=5"});
    ASSERT_EQ(load.exitCode, exitCode::success) << load.describe();

    const auto value = busctl({"get-property", busName, "/org/kmodd/Manager1/module/dummy",
                               moduleInterface, "Parameters"});

    EXPECT_EQ(value.out, "a{ss} 1 \"numdummies\" \"5\"\n") << value.describe();
}

// The boot list's answer goes out before its modules are published, but in the same turn of
// kmodd's loop: the next request already finds their objects.
TEST_F(ARootCaller, LoadsTheBootListOnRequest) {
    const auto boot = kmodctl({"boot"});

    ASSERT_EQ(boot.exitCode, exitCode::success) << boot.describe();
    EXPECT_TRUE(isLoaded("dummy"));
    EXPECT_TRUE(isLoaded("veth"));
    const auto state = busctl(
        {"get-property", busName, "/org/kmodd/Manager1/module/veth", moduleInterface, "State"});
    EXPECT_EQ(state.out, "s \"live\"\n") << state.describe();
}

// A boot list entry's parameters are checked by the kernel queue, against the file it opens:
// the same refusal as a load of its own gets before authorization.
TEST_F(ABootListWithAnUndeclaredParameter, RefusesThatEntryAsALoadAndLoadsTheRest) {
    const auto load = kmodctl({"load", "veth"});
    ASSERT_EQ(load.exitCode, exitCode::failed) << load.describe();
    ASSERT_THAT(load.err, ::testing::HasSubstr("veth does not declare a parameter 'nosuch'"));

    const auto boot = kmodctl({"boot"});

    EXPECT_EQ(boot.exitCode, exitCode::failed) << boot.describe();
    EXPECT_THAT(boot.err, ::testing::HasSubstr("veth does not declare a parameter 'nosuch'"));
    EXPECT_TRUE(isLoaded("dummy"));
    EXPECT_FALSE(isLoaded("veth"));
}

TEST_F(ADaemonStartedAtBoot, LoadsTheBootListOnceRunning) {
    waitUntil([&] { return isLoaded("dummy") && isLoaded("veth"); }, "dummy and veth to load");
}

TEST_F(AModuleLoadedOutsideKmodd, IsListedAndCanBeUnloaded) {
    EXPECT_TRUE(isLoaded("veth"));

    const auto unload = kmodctl({"unload", "veth"});

    ASSERT_EQ(unload.exitCode, exitCode::success) << unload.describe();
    EXPECT_FALSE(isLoaded("veth"));
}

TEST_F(TheListCommand, ShowsEachLoadedModuleOnALineWithItsState) {
    ASSERT_EQ(kmodctl({"load", "bridge"}).exitCode, exitCode::success);

    const auto list = kmodctl({"list"});

    ASSERT_EQ(list.exitCode, exitCode::success) << list.describe();
    EXPECT_THAT(list.out, ::testing::ContainsRegex("\nbridge +live"));
    EXPECT_THAT(list.out, ::testing::ContainsRegex("\nstp +live +1 +bridge"));
}

TEST_F(TheModuleList, FollowsAModuleGainingAndLosingAHolder) {
    EXPECT_EQ(entryOf("stp"), std::nullopt);
    ASSERT_EQ(kmodctl({"load", "stp"}).exitCode, exitCode::success);
    EXPECT_EQ(entryOf("stp"), (Entry{"stp", "live", 0, {}}));

    ASSERT_EQ(kmodctl({"load", "bridge"}).exitCode, exitCode::success);
    EXPECT_EQ(entryOf("stp"), (Entry{"stp", "live", 1, {"bridge"}}));

    ASSERT_EQ(kmodctl({"unload", "bridge"}).exitCode, exitCode::success);
    EXPECT_EQ(entryOf("stp"), (Entry{"stp", "live", 0, {}}));
    EXPECT_EQ(entryOf("bridge"), std::nullopt);

    ASSERT_EQ(kmodctl({"unload", "stp"}).exitCode, exitCode::success);
    EXPECT_EQ(entryOf("stp"), std::nullopt);
}

TEST_F(TheListCommand, PrintsJsonForScripts) {
    ASSERT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);

    const auto list = kmodctl({"list", "--json"});

    ASSERT_EQ(list.exitCode, exitCode::success) << list.describe();
    EXPECT_THAT(list.out, ::testing::ContainsRegex(R"("name": *"dummy")"));
    EXPECT_THAT(list.out, ::testing::ContainsRegex(R"("state": *"live")"));
}

TEST_F(TheStatusCommand, ShowsTheStateHoldersParametersAndPathOfALoadedModule) {
    ASSERT_EQ(kmodctl({"load", "bridge"}).exitCode, exitCode::success);

    const auto status = kmodctl({"status", "stp"});

    ASSERT_EQ(status.exitCode, exitCode::success) << status.describe();
    EXPECT_THAT(status.out, ::testing::HasSubstr("live"));
    EXPECT_THAT(status.out, ::testing::HasSubstr("bridge"));
    EXPECT_THAT(status.out, ::testing::HasSubstr(modules().pathOf("stp").string()));
}

TEST_F(TheStatusCommand, SaysAModuleIsNotLoaded) {
    const auto status = kmodctl({"status", "veth"});

    ASSERT_EQ(status.exitCode, exitCode::success) << status.describe();
    EXPECT_THAT(status.out, ::testing::HasSubstr("unloaded"));
}

TEST_F(TheStatusCommand, PrintsJsonForScripts) {
    ASSERT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);

    const auto status = kmodctl({"status", "dummy", "--json"});

    ASSERT_EQ(status.exitCode, exitCode::success) << status.describe();
    EXPECT_THAT(status.out, ::testing::ContainsRegex(R"("state": *"live")"));
    EXPECT_THAT(status.out, ::testing::ContainsRegex(R"("parameters": *\{"numdummies": *"2"\})"));
}

} // namespace
} // namespace kmodd::testing

#include "ModuleTable.h"

#include "FakeKernel.h"

#include <gtest/gtest.h>

using namespace kmodd;
using kmodd::testing::FakeKernel;

namespace {

ModuleName name(const char* text) {
    return ModuleName::parse(text);
}

LoadedModule module(const char* text, ModuleState state = ModuleState::Live, unsigned refcount = 0,
                    std::vector<ModuleName> holders = {}) {
    return {name(text), 4096, refcount, std::move(holders), state};
}

ModuleMap mapOf(std::initializer_list<LoadedModule> modules) {
    ModuleMap map;
    for (const auto& entry : modules) {
        map.emplace(entry.name, entry);
    }
    return map;
}

} // namespace

TEST(ADiffOfTheModuleList, IsEmptyWhenNothingChanged) {
    const auto modules = mapOf({module("dummy"), module("veth")});

    EXPECT_EQ(diffModules(modules, modules), TableChanges{});
}

TEST(ADiffOfTheModuleList, ReportsAddedAndRemovedModules) {
    const auto changes = diffModules(mapOf({module("dummy"), module("veth")}),
                                     mapOf({module("veth"), module("loop")}));

    EXPECT_EQ(changes.added, std::vector{name("loop")});
    EXPECT_EQ(changes.removed, std::vector{name("dummy")});
    EXPECT_TRUE(changes.changed.empty());
}

TEST(ADiffOfTheModuleList, ReportsAChangedRefcountStateOrHolderList) {
    const auto before = mapOf({module("a"), module("b"), module("c", ModuleState::Coming)});
    const auto after =
        mapOf({module("a", ModuleState::Live, 1), module("b", ModuleState::Live, 0, {name("x")}),
               module("c", ModuleState::Live)});

    EXPECT_EQ(diffModules(before, after).changed, (std::vector{name("a"), name("b"), name("c")}));
}

TEST(ADiffOfTheModuleList, CountsAModuleAsLoadedOnlyOnceItIsLive) {
    const auto coming = mapOf({module("dummy", ModuleState::Coming)});
    const auto live = mapOf({module("dummy")});

    EXPECT_TRUE(diffModules({}, coming).becameLive.empty());
    EXPECT_EQ(diffModules(coming, live).becameLive, std::vector{name("dummy")});
    EXPECT_EQ(diffModules({}, live).becameLive, std::vector{name("dummy")});
    EXPECT_TRUE(diffModules(live, live).becameLive.empty());
}

TEST(ADiffOfTheModuleList, DoesNotCountAGoingModuleAsLoaded) {
    const auto changes =
        diffModules(mapOf({module("dummy")}), mapOf({module("dummy", ModuleState::Going)}));

    EXPECT_EQ(changes.changed, std::vector{name("dummy")});
    EXPECT_TRUE(changes.becameLive.empty());
}

TEST(AModuleTable, ReportsEveryLoadedModuleAsAddedOnTheFirstRefresh) {
    FakeKernel kernel;
    kernel.addLoaded("dummy");
    kernel.addLoaded("veth", {"dummy"});
    ModuleTable table(kernel);

    const auto changes = table.refresh();

    EXPECT_EQ(changes.added, (std::vector{name("dummy"), name("veth")}));
    EXPECT_EQ(changes.becameLive, (std::vector{name("dummy"), name("veth")}));
    ASSERT_NE(table.find(name("dummy")), nullptr);
    EXPECT_EQ(table.find(name("dummy"))->holders, std::vector{name("veth")});
    EXPECT_EQ(table.find(name("dummy"))->refcount, 1U);
}

TEST(AModuleTable, SeesAModuleLoadedAndUnloadedBetweenRefreshes) {
    FakeKernel kernel;
    kernel.addLoaded("dummy");
    ModuleTable table(kernel);
    table.refresh();

    kernel.addLoaded("veth", {"dummy"});
    auto changes = table.refresh();
    EXPECT_EQ(changes.added, std::vector{name("veth")});
    EXPECT_EQ(changes.changed, std::vector{name("dummy")});

    ASSERT_EQ(kernel.deleteModule(name("veth"), 0), 0);
    changes = table.refresh();
    EXPECT_EQ(changes.removed, std::vector{name("veth")});
    EXPECT_EQ(changes.changed, std::vector{name("dummy")});
    EXPECT_EQ(table.find(name("veth")), nullptr);
    EXPECT_EQ(table.modules().size(), 1U);
}

TEST(AModuleTable, ReportsARefcountChangeMadeOutsideKmodd) {
    FakeKernel kernel;
    kernel.addLoaded("loop");
    ModuleTable table(kernel);
    table.refresh();

    kernel.setRefcount("loop", 2);

    EXPECT_EQ(table.refresh().changed, std::vector{name("loop")});
    EXPECT_EQ(table.find(name("loop"))->refcount, 2U);
}

TEST(AModuleTable, IsSettledWhenEveryModuleIsLive) {
    FakeKernel kernel;
    kernel.addLoaded("dummy");
    ModuleTable table(kernel);
    table.refresh();

    EXPECT_FALSE(table.settling());
}

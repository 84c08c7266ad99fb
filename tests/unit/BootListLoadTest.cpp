#include "CheckedPlan.h"
#include "Error.h"
#include "FakeKernel.h"
#include "ModuleEngine.h"
#include "ModuleTree.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <optional>
#include <spdlog/logger.h>
#include <string>
#include <thread>
#include <vector>

using namespace kmodd;
using kmodd::testing::FakeKernel;
using kmodd::testing::ModuleTree;
using kmodd::testing::names;
using Call = FakeKernel::Call;

namespace {

// What a boot list entry answers and journals: its status, what it inserted, the soft
// dependencies it skipped and why; or its error.
std::string summary(const LoadResult& result) {
    if (const auto* error = std::get_if<Error>(&result)) {
        return std::string(errorName(error->kind())) + ": " + error->what();
    }
    const auto& report = std::get<LoadReport>(result);
    std::string text = "status " + std::to_string(static_cast<int>(report.status)) + ", inserted";
    for (const auto& name : names(report.inserted)) {
        text += " " + name;
    }
    for (const auto& skipped : report.skipped) {
        text += "; " + skipped.reason;
    }
    return text;
}

// Every module of the kernel after the modules it holds: /proc/modules lists the newest first,
// so each holder must come before what it holds.
void expectDependenciesLoadedFirst(const FakeKernel& kernel) {
    const auto loaded = kernel.loadedModules();
    for (std::size_t held = 0; held < loaded.size(); ++held) {
        for (const auto& holder : loaded[held].holders) {
            const auto at = std::find_if(loaded.begin(), loaded.end(),
                                         [&](const LoadedModule& m) { return m.name == holder; });
            EXPECT_LT(at - loaded.begin(), static_cast<std::ptrdiff_t>(held))
                << holder.str() << " was loaded before its dependency " << loaded[held].name.str();
        }
    }
}

std::vector<std::string> loadedNames(const FakeKernel& kernel) {
    std::vector<std::string> out;
    for (const auto& module : kernel.loadedModules()) {
        out.push_back(module.name.str());
    }
    std::sort(out.begin(), out.end());
    return out;
}

class ABootListLoad : public ::testing::Test {
  protected:
    void SetUp() override {
        tree.add({.name = "base", .exports = {"base_fn"}});
        tree.add({.name = "middle", .exports = {"middle_fn"}, .uses = {"base_fn"}});
        tree.add({.name = "top", .uses = {"middle_fn"}});
        tree.add({.name = "side", .uses = {"base_fn"}});
        tree.add({.name = "solo"});
        tree.add({.name = "dummy"});
        tree.add({.name = "softpre", .uses = {"base_fn"}});
        tree.add({.name = "softpost"});
        tree.add({.name = "withsoft", .softdep = "pre: softpre post: softpost"});
        tree.add({.name = "broken", .exports = {"broken_fn"}});
        tree.add({.name = "needsbroken", .uses = {"broken_fn"}});
        tree.add({.name = "badsoft", .softdep = "pre: broken"});
        tree.index();
        index = std::make_unique<ModuleIndex>(
            tree.moduleDirectory(), std::vector<std::filesystem::path>{tree.modprobeDirectory()});
    }

    std::unique_ptr<ModuleEngine> engineOn(FakeKernel& kernel) {
        Config config;
        config.trustedPaths = {tree.trustedRoot()};
        return std::make_unique<ModuleEngine>(kernel, *index, std::move(config),
                                              std::make_shared<spdlog::logger>("test"));
    }

    // As kmodd loaded the boot list before: each entry planned and loaded before the next.
    std::vector<std::string> loadOneAfterTheOther(ModuleEngine& engine,
                                                  const std::vector<std::string>& list) {
        std::vector<std::string> results;
        for (const auto& name : list) {
            try {
                LoadPlan plan = kmodd::testing::checkedPlan(engine, {name, {}, {}});
                results.push_back(
                    plan.status == LoadStatus::Loaded
                        ? summary(engine.load(plan))
                        : summary(LoadReport{plan.resolution.name, plan.status, {}, {}, {}}));
            } catch (const Error& error) {
                results.push_back(summary(error));
            }
        }
        return results;
    }

    // As RequestHandler does now: every entry planned, then those to load loaded together.
    std::vector<std::string>
    loadTogether(ModuleEngine& engine, const std::vector<std::string>& list, std::size_t workers) {
        std::vector<std::optional<std::string>> results(list.size());
        std::vector<LoadPlan> plans;
        std::vector<std::size_t> entries;
        for (std::size_t entry = 0; entry < list.size(); ++entry) {
            try {
                LoadPlan plan = kmodd::testing::checkedPlan(engine, {list[entry], {}, {}});
                if (plan.status == LoadStatus::Loaded) {
                    plans.push_back(std::move(plan));
                    entries.push_back(entry);
                } else {
                    results[entry] =
                        summary(LoadReport{plan.resolution.name, plan.status, {}, {}, {}});
                }
            } catch (const Error& error) {
                results[entry] = summary(error);
            }
        }
        const auto loaded = engine.loadAll(plans, workers);
        EXPECT_EQ(loaded.size(), plans.size());
        for (std::size_t plan = 0; plan < loaded.size(); ++plan) {
            results[entries[plan]] = summary(loaded[plan]);
        }
        std::vector<std::string> out;
        for (auto& result : results) {
            out.push_back(result.value_or("no result"));
        }
        return out;
    }

    std::size_t finitCallsOf(const FakeKernel& kernel, const std::string& module) const {
        const auto calls = kernel.calls();
        return static_cast<std::size_t>(
            std::count_if(calls.begin(), calls.end(), [&](const FakeKernel::Record& call) {
                return call.call == Call::FinitModule && call.module == module;
            }));
    }

    ModuleTree tree;
    std::unique_ptr<ModuleIndex> index;
};

TEST_F(ABootListLoad, LoadsWithAPoolWhatTheSequentialLoadsDo) {
    // Shared dependencies (base), a module listed after a module that pulled it in (middle),
    // soft dependencies, a module the kernel refuses and a module and a softdep that need it.
    const std::vector<std::string> list{"top",    "side",  "solo",    "withsoft", "needsbroken",
                                        "broken", "dummy", "badsoft", "middle"};
    FakeKernel before;
    FakeKernel sequential;
    FakeKernel pool;
    for (FakeKernel* kernel : {&before, &sequential, &pool}) {
        kernel->failAlways(Call::FinitModule, "broken", ENOEXEC);
    }

    const auto expected = loadOneAfterTheOther(*engineOn(before), list);
    const auto oneWorker = loadTogether(*engineOn(sequential), list, 1);
    const auto fourWorkers = loadTogether(*engineOn(pool), list, 4);

    EXPECT_EQ(oneWorker, expected);
    EXPECT_EQ(fourWorkers, expected);
    EXPECT_EQ(loadedNames(sequential), loadedNames(before));
    EXPECT_EQ(loadedNames(pool), loadedNames(before));
    EXPECT_EQ(loadedNames(pool),
              (std::vector<std::string>{"badsoft", "base", "dummy", "middle", "side", "softpost",
                                        "softpre", "solo", "top", "withsoft"}));
    expectDependenciesLoadedFirst(sequential);
    expectDependenciesLoadedFirst(pool);
}

TEST_F(ABootListLoad, KeepsLoadingIndependentModulesWhenOneFailsAndFailsItsDependants) {
    FakeKernel kernel;
    // Once only: a dependant that asked the kernel again would load it.
    kernel.failNext(Call::FinitModule, "base", EKEYREJECTED);

    const auto results =
        loadTogether(*engineOn(kernel), {"base", "solo", "top", "side", "dummy"}, 4);

    ASSERT_EQ(results.size(), 5U);
    EXPECT_NE(results[0].find("cannot load base"), std::string::npos) << results[0];
    EXPECT_EQ(results[1], "status 0, inserted solo");
    EXPECT_EQ(results[2], results[0]);
    EXPECT_EQ(results[3], results[0]);
    EXPECT_EQ(results[4], "status 0, inserted dummy");
    EXPECT_EQ(loadedNames(kernel), (std::vector<std::string>{"dummy", "solo"}));
    EXPECT_EQ(finitCallsOf(kernel, "base"), 1U);
}

TEST_F(ABootListLoad, InsertsAnIndependentModuleWhileAnotherIsStillInTheKernel) {
    FakeKernel kernel;
    kernel.hang(Call::FinitModule, "solo");
    auto engine = engineOn(kernel);
    std::vector<LoadPlan> plans;
    for (const char* name : {"solo", "top"}) {
        plans.push_back(kmodd::testing::checkedPlan(*engine, {name, {}, {}}));
    }
    std::vector<LoadResult> results;
    std::thread run([&] { results = engine->loadAll(plans, 2); });
    bool topLoadedMeanwhile = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!topLoadedMeanwhile && std::chrono::steady_clock::now() < deadline) {
        const auto loaded = loadedNames(kernel);
        topLoadedMeanwhile = std::find(loaded.begin(), loaded.end(), "top") != loaded.end();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    kernel.releaseHung();
    run.join();

    EXPECT_TRUE(topLoadedMeanwhile);
    ASSERT_EQ(results.size(), 2U);
    EXPECT_EQ(summary(results[0]), "status 0, inserted solo");
    EXPECT_EQ(summary(results[1]), "status 0, inserted base middle top");
}

TEST_F(ABootListLoad, RecordsWhatEachLoadInsertedForItsUnload) {
    FakeKernel kernel;
    auto engine = engineOn(kernel);
    loadTogether(*engine, {"top", "side", "solo"}, 4);

    const auto unloaded = engine->unload(engine->prepareUnload("top"));

    // base stays: side holds it.
    EXPECT_EQ(names(unloaded.unloaded), (std::vector<std::string>{"top", "middle"}));
    EXPECT_EQ(loadedNames(kernel), (std::vector<std::string>{"base", "side", "solo"}));
}

} // namespace

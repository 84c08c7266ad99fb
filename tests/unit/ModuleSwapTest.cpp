#include "FakeKernel.h"
#include "ModuleEngine.h"
#include "ModuleTree.h"
#include "ScratchDirectory.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <spdlog/logger.h>

using namespace kmodd;
using kmodd::testing::FakeKernel;
using kmodd::testing::ModuleTree;
using kmodd::testing::ScratchDirectory;
using Call = FakeKernel::Call;

namespace {

namespace fs = std::filesystem;

// A module file replaced after prepareLoad checked it and before load: the kernel must get the
// file that was checked, whatever the path names by then. The fake kernel takes the module's
// name from the bytes it is given, so it tells which file that was.
class AModuleFileSwappedAfterTheCheck : public ::testing::Test {
  protected:
    void SetUp() override {
        tree.add({.name = "dummy"});
        tree.add({.name = "packed"});
        tree.add({.name = "evil"});
        tree.compress("packed", Compression::Xz);
        tree.index();
        index = std::make_unique<ModuleIndex>(tree.moduleDirectory(), std::vector<fs::path>{});
        Config config;
        config.trustedPaths = {tree.trustedRoot()};
        engine = std::make_unique<ModuleEngine>(kernel, *index, std::move(config),
                                                std::make_shared<spdlog::logger>("test"));
    }

    std::vector<std::string> loadedNames() const {
        std::vector<std::string> names;
        for (const auto& module : kernel.loadedModules()) {
            names.push_back(module.name.str());
        }
        return names;
    }

    ModuleTree tree;
    FakeKernel kernel;
    std::unique_ptr<ModuleIndex> index;
    std::unique_ptr<ModuleEngine> engine;
};

TEST_F(AModuleFileSwappedAfterTheCheck, IsLoadedFromTheDescriptorThatWasChecked) {
    LoadPlan plan = engine->prepareLoad({"dummy", {}, {}});
    fs::rename(tree.pathOf("evil"), tree.pathOf("dummy"));

    engine->load(plan);

    EXPECT_EQ(kernel.calls(),
              (std::vector<FakeKernel::Record>{{Call::FinitModule, "dummy", "", 0}}));
    EXPECT_EQ(loadedNames(), std::vector<std::string>{"dummy"});
}

TEST_F(AModuleFileSwappedAfterTheCheck, ForASymlinkToAnUntrustedFileStillLoadsTheCheckedFile) {
    const ScratchDirectory outside("outside");
    const fs::path untrusted = outside / "evil.ko";
    fs::copy_file(tree.pathOf("evil"), untrusted);
    fs::permissions(untrusted, fs::perms(0666));
    LoadPlan plan = engine->prepareLoad({"dummy", {}, {}});
    fs::remove(tree.pathOf("dummy"));
    fs::create_symlink(untrusted, tree.pathOf("dummy"));

    engine->load(plan);

    EXPECT_EQ(kernel.calls(),
              (std::vector<FakeKernel::Record>{{Call::FinitModule, "dummy", "", 0}}));
    EXPECT_EQ(loadedNames(), std::vector<std::string>{"dummy"});
}

TEST_F(AModuleFileSwappedAfterTheCheck, WhenDecompressedByKmoddLoadsTheBytesThatWereChecked) {
    // The fake kernel names no compression, so kmodd decompresses the .ko.xz itself.
    LoadPlan plan = engine->prepareLoad({"packed", {}, {}});
    fs::rename(tree.pathOf("evil"), tree.pathOf("packed"));

    engine->load(plan);

    EXPECT_EQ(kernel.calls(),
              (std::vector<FakeKernel::Record>{{Call::InitModule, "packed", "", 0}}));
    EXPECT_EQ(loadedNames(), std::vector<std::string>{"packed"});
}

} // namespace

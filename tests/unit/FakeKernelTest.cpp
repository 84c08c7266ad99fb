#include "FakeKernel.h"

#include "ModuleTree.h"
#include "UniqueFd.h"

#include <cerrno>
#include <fcntl.h>
#include <future>
#include <gtest/gtest.h>
#include <linux/module.h>

using kmodd::Compression;
using kmodd::ModuleName;
using kmodd::ModuleParameters;
using kmodd::UniqueFd;
using kmodd::XzCheck;
using kmodd::testing::FakeKernel;
using kmodd::testing::ModuleTree;
using Call = FakeKernel::Call;

namespace {

class AFakeKernel : public ::testing::Test {
  protected:
    void SetUp() override {
        tree.add({.name = "base", .exports = {"base_fn"}});
        tree.add({.name = "user", .uses = {"base_fn"}});
        tree.add({.name = "packed"});
        tree.compress("packed", Compression::Zstd);
    }

    int finit(const std::string& name, unsigned flags = 0) {
        UniqueFd fd(::open(tree.pathOf(name).c_str(), O_RDONLY | O_CLOEXEC));
        return kernel.finitModule(fd.get(), "", flags);
    }

    ModuleTree tree;
    FakeKernel kernel;
};

TEST_F(AFakeKernel, RequiresDependenciesAndCountsTheirHolders) {
    EXPECT_EQ(finit("user"), ENOENT);
    EXPECT_EQ(finit("base"), 0);
    EXPECT_EQ(finit("user"), 0);
    const auto modules = kernel.loadedModules();
    ASSERT_EQ(modules.size(), 2U);
    EXPECT_EQ(modules[1].name.str(), "base");
    EXPECT_EQ(modules[1].refcount, 1U);
    EXPECT_EQ(modules[1].holders, std::vector<ModuleName>{ModuleName::parse("user")});
    EXPECT_EQ(kernel.deleteModule(ModuleName::parse("base"), O_NONBLOCK), EWOULDBLOCK);
    EXPECT_EQ(kernel.deleteModule(ModuleName::parse("user"), O_NONBLOCK), 0);
    EXPECT_EQ(kernel.deleteModule(ModuleName::parse("base"), O_NONBLOCK), 0);
    EXPECT_EQ(kernel.deleteModule(ModuleName::parse("base"), O_NONBLOCK), ENOENT);
}

TEST_F(AFakeKernel, AnswersEexistForALoadedModule) {
    EXPECT_EQ(finit("base"), 0);
    EXPECT_EQ(finit("base"), EEXIST);
}

TEST_F(AFakeKernel, DecompressesOnlyWhenToldTheFileIsCompressedInItsAlgorithm) {
    EXPECT_EQ(finit("packed"), ENOEXEC);
    kernel.setCompression("xz");
    EXPECT_EQ(finit("packed", MODULE_INIT_COMPRESSED_FILE), EINVAL);
    kernel.setCompression("zstd");
    EXPECT_EQ(finit("packed", MODULE_INIT_COMPRESSED_FILE), 0);
    EXPECT_EQ(kernel.compression(), "zstd");
}

TEST_F(AFakeKernel, HangsACallUntilReleased) {
    kernel.hang(Call::FinitModule, "base");
    auto load = std::async(std::launch::async, [&] { return finit("base"); });

    EXPECT_EQ(load.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
    EXPECT_TRUE(kernel.loadedModules().empty()) << "the table stays readable meanwhile";
    kernel.releaseHung();
    EXPECT_EQ(load.get(), 0);
}

TEST_F(AFakeKernel, DecompressesXzOnlyWithACheckLinuxsDecoderTakes) {
    tree.add({.name = "crc32"});
    tree.add({.name = "crc64"});
    tree.add({.name = "unchecked"});
    tree.compress("crc32", Compression::Xz, XzCheck::Crc32);
    tree.compress("crc64", Compression::Xz, XzCheck::Crc64);
    tree.compress("unchecked", Compression::Xz, XzCheck::None);
    kernel.setCompression("xz");
    EXPECT_EQ(finit("crc32", MODULE_INIT_COMPRESSED_FILE), 0);
    EXPECT_EQ(finit("crc64", MODULE_INIT_COMPRESSED_FILE), EINVAL);
    EXPECT_EQ(finit("unchecked", MODULE_INIT_COMPRESSED_FILE), 0);
}

TEST_F(AFakeKernel, FailsTheNextCallOnceWhenTold) {
    kernel.failNext(Call::FinitModule, "base", EKEYREJECTED);
    EXPECT_EQ(finit("base"), EKEYREJECTED);
    EXPECT_EQ(finit("base"), 0);
}

TEST_F(AFakeKernel, FailsEveryCallWhenToldToFailAlways) {
    kernel.failAlways(Call::FinitModule, "base", ENOEXEC);
    EXPECT_EQ(finit("base"), ENOEXEC);
    EXPECT_EQ(finit("base"), ENOEXEC);
}

TEST_F(AFakeKernel, LoadsAndUnloadsFromSeveralThreadsAtOnce) {
    std::vector<std::string> names;
    for (int module = 0; module < 8; ++module) {
        names.push_back("m" + std::to_string(module));
        tree.add({.name = names.back()});
    }
    std::vector<std::future<void>> threads;
    for (const auto& name : names) {
        threads.push_back(std::async(std::launch::async, [&, name] {
            for (int round = 0; round < 20; ++round) {
                ASSERT_EQ(finit(name), 0);
                kernel.loadedModules();
                ASSERT_EQ(kernel.deleteModule(ModuleName::parse(name), O_NONBLOCK), 0);
            }
            ASSERT_EQ(finit(name), 0);
        }));
    }
    for (auto& thread : threads) {
        thread.get();
    }
    EXPECT_EQ(kernel.loadedModules().size(), names.size());
    EXPECT_EQ(kernel.calls().size(), names.size() * 41);
}

TEST_F(AFakeKernel, ShowsTheParametersItWasLoadedWith) {
    UniqueFd fd(::open(tree.pathOf("base").c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_EQ(kernel.finitModule(fd.get(), "level=3 name=\"a b\" flag", 0), 0);
    EXPECT_EQ(kernel.moduleParameters(ModuleName::parse("base")),
              (ModuleParameters{{"flag", "Y"}, {"level", "3"}, {"name", "a b"}}));
    EXPECT_FALSE(kernel.moduleParameters(ModuleName::parse("user")));
}

TEST_F(AFakeKernel, GivesNoValueForARestrictedParameter) {
    kernel.restrictParameter("base", "name");
    UniqueFd fd(::open(tree.pathOf("base").c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_EQ(kernel.finitModule(fd.get(), "level=3 name=secret", 0), 0);
    EXPECT_EQ(kernel.moduleParameters(ModuleName::parse("base")),
              (ModuleParameters{{"level", "3"}, {"name", std::nullopt}}));
}

TEST_F(AFakeKernel, RecordsEveryCall) {
    kernel.addLoaded("outside");
    finit("base", MODULE_INIT_IGNORE_VERMAGIC);
    kernel.deleteModule(ModuleName::parse("outside"), O_NONBLOCK);
    EXPECT_EQ(kernel.calls(), (std::vector<FakeKernel::Record>{
                                  {Call::FinitModule, "base", "", MODULE_INIT_IGNORE_VERMAGIC},
                                  {Call::DeleteModule, "outside", "", O_NONBLOCK}}));
}

} // namespace

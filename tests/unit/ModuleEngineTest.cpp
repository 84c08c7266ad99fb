#include "ModuleEngine.h"

#include "CheckedPlan.h"
#include "Error.h"
#include "ErrorFrom.h"
#include "FakeKernel.h"
#include "ModuleTree.h"
#include "ScratchDirectory.h"

#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/module.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sstream>
#include <sys/stat.h>

using namespace kmodd;
using kmodd::testing::FakeKernel;
using kmodd::testing::ModuleSpec;
using kmodd::testing::ModuleTree;
using kmodd::testing::names;
using kmodd::testing::ScratchDirectory;
using Call = FakeKernel::Call;

namespace {

ParameterList parameters(const std::string& module, std::initializer_list<const char*> texts) {
    ParameterList list;
    const auto name = ModuleName::parse(module);
    for (const char* text : texts) {
        list.set(name, ParameterList::parseAssignment(name, text));
    }
    return list;
}

class AModuleEngine : public ::testing::Test {
  protected:
    void SetUp() override {
        tree.add({.name = "dummy", .parameters = {"numdummies:int"}});
        tree.add({.name = "base", .exports = {"base_fn"}, .parameters = {"level:int"}});
        tree.add({.name = "middle", .exports = {"middle_fn"}, .uses = {"base_fn"}});
        tree.add({.name = "top-mod",
                  .uses = {"middle_fn", "base_fn"},
                  .aliases = {"top-alias"},
                  .parameters = {"debug:bool"}});
        tree.add({.name = "floppy"});
        tree.add({.name = "xzmod", .parameters = {"size:int"}});
        tree.add({.name = "zstdmod"});
        tree.compress("xzmod", Compression::Xz);
        tree.compress("zstdmod", Compression::Zstd);
        tree.addBuiltin("ext4");
    }

    void start(Config config = {}) {
        tree.index();
        index = std::make_unique<ModuleIndex>(tree.moduleDirectory(),
                                              std::vector<std::filesystem::path>{});
        config.trustedPaths = {tree.trustedRoot()};
        engine = std::make_unique<ModuleEngine>(kernel, *index, std::move(config),
                                                std::make_shared<spdlog::logger>("test"));
    }

    LoadPlan checkedPlan(const std::string& name, ParameterList params = {}, LoadFlags flags = {}) {
        return kmodd::testing::checkedPlan(*engine, {name, std::move(params), flags});
    }

    LoadReport load(const std::string& name, ParameterList params = {}, LoadFlags flags = {}) {
        LoadPlan plan = checkedPlan(name, std::move(params), flags);
        return engine->load(plan);
    }

    void unload(const std::string& name) { engine->unload(engine->prepareUnload(name)); }

    // Runs call, expects an Error of kind whose message contains fragment.
    template <class F> void expectError(F&& call, ErrorKind kind, const std::string& fragment) {
        try {
            call();
            ADD_FAILURE() << "no error; expected " << errorName(kind);
        } catch (const Error& error) {
            EXPECT_EQ(errorName(error.kind()), errorName(kind)) << error.what();
            EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
        }
    }

    std::vector<std::string> loadedNames() const {
        std::vector<std::string> out;
        for (const auto& module : kernel.loadedModules()) {
            out.push_back(module.name.str());
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    ModuleTree tree;
    FakeKernel kernel;
    std::unique_ptr<ModuleIndex> index;
    std::unique_ptr<ModuleEngine> engine;
};

TEST_F(AModuleEngine, LoadsAModuleWithFinitModuleAndTheRequestParameters) {
    start();
    const auto report = load("dummy", parameters("dummy", {"numdummies=3"}));
    EXPECT_EQ(report.status, LoadStatus::Loaded);
    EXPECT_EQ(names(report.inserted), std::vector<std::string>{"dummy"});
    EXPECT_EQ(kernel.calls(),
              (std::vector<FakeKernel::Record>{{Call::FinitModule, "dummy", "numdummies=3", 0}}));
}

TEST_F(AModuleEngine, MergesConfiguredDefaultsWithTheRequestWhichWinsByName) {
    Config config;
    config.defaultParameters[ModuleName::parse("top_mod")] = parameters("top_mod", {"debug=0"});
    config.defaultParameters[ModuleName::parse("base")] = parameters("base", {"level=2"});
    start(config);
    load("top-mod", parameters("top-mod", {"debug=1"}));
    const auto calls = kernel.calls();
    ASSERT_EQ(calls.size(), 3U);
    EXPECT_EQ(calls[0], (FakeKernel::Record{Call::FinitModule, "base", "level=2", 0}));
    EXPECT_EQ(calls[2], (FakeKernel::Record{Call::FinitModule, "top_mod", "debug=1", 0}));
}

TEST_F(AModuleEngine, LoadsDependenciesFirstInModulesDepOrder) {
    start();
    const auto report = load("top_mod");
    EXPECT_EQ(names(report.inserted), (std::vector<std::string>{"base", "middle", "top_mod"}));
    EXPECT_EQ(loadedNames(), (std::vector<std::string>{"base", "middle", "top_mod"}));
}

TEST_F(AModuleEngine, SkipsDependenciesThatAreAlreadyLoaded) {
    start();
    load("base");
    const auto report = load("top-mod");
    EXPECT_EQ(names(report.inserted), (std::vector<std::string>{"middle", "top_mod"}));
}

// Requests run in arrival order: a load queued behind the unload of its dependency loads it.
TEST_F(AModuleEngine, LoadsADependencyUnloadedAfterThePlanWasMade) {
    start();
    load("base");
    LoadPlan plan = checkedPlan("middle");
    unload("base");
    const auto report = engine->load(plan);
    EXPECT_EQ(names(report.inserted), (std::vector<std::string>{"base", "middle"}));
}

TEST_F(AModuleEngine, ResolvesAnAliasBeforeLoading) {
    start();
    EXPECT_EQ(load("top-alias").module.str(), "top_mod");
}

TEST_F(AModuleEngine, ReportsABuiltInModuleWithoutAskingTheKernel) {
    start();
    EXPECT_EQ(load("ext4").status, LoadStatus::BuiltIn);
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleEngine, ReportsAnAlreadyLoadedModuleWithoutAskingTheKernel) {
    start();
    kernel.addLoaded("dummy");
    EXPECT_EQ(load("dummy").status, LoadStatus::AlreadyLoaded);
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleEngine, CountsEexistFromTheKernelAsSuccess) {
    start();
    kernel.failNext(Call::FinitModule, "dummy", EEXIST);
    const auto report = load("dummy");
    EXPECT_EQ(report.status, LoadStatus::AlreadyLoaded);
    EXPECT_TRUE(report.inserted.empty());
}

TEST_F(AModuleEngine, RefusesAnUndeclaredParameterBeforeAnythingReachesTheKernel) {
    start();
    expectError([&] { load("top-mod", parameters("top-mod", {"bogus=1"})); },
                ErrorKind::InvalidParameter, "bogus");
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleEngine, RefusesAnUndeclaredDefaultOfADependency) {
    Config config;
    config.defaultParameters[ModuleName::parse("middle")] = parameters("middle", {"nope=1"});
    start(config);
    expectError([&] { load("top-mod"); }, ErrorKind::InvalidParameter, "middle");
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleEngine, RefusesADeniedModuleBeforeAnythingReachesTheKernel) {
    Config config;
    config.deny = {"floppy"};
    start(config);
    expectError([&] { load("floppy"); }, ErrorKind::NotAllowed, "floppy");
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleEngine, RefusesAnUntrustedDependencyAndLoadsNothing) {
    start();
    ::chmod(tree.pathOf("middle").c_str(), 0666);
    expectError([&] { load("top-mod"); }, ErrorKind::Untrusted, tree.pathOf("middle").string());
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleEngine, RefusesAModuleOutsideTheTrustedPaths) {
    tree.index();
    index =
        std::make_unique<ModuleIndex>(tree.moduleDirectory(), std::vector<std::filesystem::path>{});
    Config config;
    config.trustedPaths = {"/usr/lib/modules"};
    engine = std::make_unique<ModuleEngine>(kernel, *index, config,
                                            std::make_shared<spdlog::logger>("test"));
    expectError([&] { load("dummy"); }, ErrorKind::Untrusted, "trusted");
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleEngine, DecompressesInMemoryWhenTheKernelCannot) {
    start();
    load("xzmod", parameters("xzmod", {"size=4"}));
    EXPECT_EQ(kernel.calls(),
              (std::vector<FakeKernel::Record>{{Call::InitModule, "xzmod", "size=4", 0}}));
}

TEST_F(AModuleEngine, LetsTheKernelDecompressWhenItNamesTheAlgorithm) {
    kernel.setCompression("zstd");
    start();
    load("zstdmod");
    load("xzmod");
    EXPECT_EQ(kernel.calls(), (std::vector<FakeKernel::Record>{
                                  {Call::FinitModule, "zstdmod", "", MODULE_INIT_COMPRESSED_FILE},
                                  {Call::InitModule, "xzmod", "", 0}}));
}

TEST_F(AModuleEngine, LetsTheKernelDecompressAnXzModuleWithACrc32Check) {
    kernel.setCompression("xz");
    start();
    load("xzmod", parameters("xzmod", {"size=4"}));
    EXPECT_EQ(kernel.calls(),
              (std::vector<FakeKernel::Record>{
                  {Call::FinitModule, "xzmod", "size=4", MODULE_INIT_COMPRESSED_FILE}}));
}

// Linux's xz decoder refuses these with EINVAL (6.12: "decompression failed with status 6").
TEST_F(AModuleEngine, DecompressesAnXzModuleWhoseCheckTheKernelCannotVerifyAndSaysWhy) {
    tree.add({.name = "xzcrc64"});
    tree.add({.name = "xzsha256"});
    tree.compress("xzcrc64", Compression::Xz, XzCheck::Crc64);
    tree.compress("xzsha256", Compression::Xz, XzCheck::Sha256);
    kernel.setCompression("xz");
    start();
    std::ostringstream journal;
    auto logger = std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_st>(journal));
    Config config;
    config.trustedPaths = {tree.trustedRoot()};
    engine = std::make_unique<ModuleEngine>(kernel, *index, config, logger);
    load("xzcrc64");
    load("xzsha256");
    EXPECT_EQ(kernel.calls(),
              (std::vector<FakeKernel::Record>{{Call::InitModule, "xzcrc64", "", 0},
                                               {Call::InitModule, "xzsha256", "", 0}}));
    for (const auto& [name, check] : {std::pair{"xzcrc64", "CRC64"}, {"xzsha256", "SHA-256"}}) {
        EXPECT_THAT(journal.str(),
                    ::testing::HasSubstr("the kernel cannot decompress " +
                                         tree.pathOf(name).string() + ": its xz stream uses a " +
                                         check +
                                         " check, the kernel's decompressor takes only "
                                         "CRC32 or none; decompressing in kmodd for "
                                         "init_module"));
    }
}

TEST_F(AModuleEngine, RunsTheInitOfAModuleRefusingItsParameterOnce) {
    kernel.setCompression("xz");
    start();
    kernel.failNext(Call::FinitModule, "xzmod", EINVAL);
    expectError([&] { load("xzmod", parameters("xzmod", {"size=4"})); },
                ErrorKind::InvalidParameter, "(parameters: size=4)");
    EXPECT_EQ(kernel.calls().size(), 1U);
    EXPECT_TRUE(loadedNames().empty());
}

TEST_F(AModuleEngine, RefusesToForceAnXzModuleWhoseCheckTheKernelCannotVerify) {
    tree.add({.name = "xzsha256"});
    tree.compress("xzsha256", Compression::Xz, XzCheck::Sha256);
    kernel.setCompression("xz");
    start();
    expectError([&] { load("xzsha256", {}, LoadFlags{.ignoreVermagic = true}); },
                ErrorKind::InvalidArgument, "only possible through finit_module");
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleEngine, PassesForceFlagsForTheRequestedModuleOnly) {
    start();
    load("top-mod", {}, LoadFlags{.ignoreVermagic = true, .ignoreModversions = true});
    const auto calls = kernel.calls();
    ASSERT_EQ(calls.size(), 3U);
    EXPECT_EQ(calls[0].flags, 0U);
    EXPECT_EQ(calls[2].flags,
              unsigned{MODULE_INIT_IGNORE_VERMAGIC | MODULE_INIT_IGNORE_MODVERSIONS});
}

TEST_F(AModuleEngine, RefusesToForceAModuleOnlyInitModuleCanLoad) {
    start();
    expectError([&] { load("xzmod", {}, LoadFlags{.ignoreVermagic = true}); },
                ErrorKind::InvalidArgument, "force");
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleEngine, TurnsAKernelErrnoIntoASentenceNamingTheModule) {
    start();
    kernel.failNext(Call::FinitModule, "dummy", ENOEXEC);
    expectError([&] { load("dummy"); }, ErrorKind::KernelRejected,
                "cannot load dummy: invalid module format");
}

TEST_F(AModuleEngine, ShowsTheParametersWhenTheKernelRefusesAValue) {
    start();
    kernel.failNext(Call::FinitModule, "dummy", EINVAL);
    expectError([&] { load("dummy", parameters("dummy", {"numdummies=5000"})); },
                ErrorKind::InvalidParameter, "refused a parameter value");
    kernel.failNext(Call::FinitModule, "dummy", EINVAL);
    expectError([&] { load("dummy", parameters("dummy", {"numdummies=5000"})); },
                ErrorKind::InvalidParameter, "(parameters: numdummies=5000)");
}

TEST_F(AModuleEngine, StopsAtTheFirstDependencyTheKernelRefusesAndRemovesWhatItInserted) {
    start();
    kernel.failNext(Call::FinitModule, "middle", ENOMEM);
    expectError([&] { load("top-mod"); }, ErrorKind::Failed,
                "cannot load middle: the kernel is out of memory; removed again what this "
                "request had inserted: base");
    EXPECT_TRUE(loadedNames().empty());
}

TEST_F(AModuleEngine, RemovesWhatAFailedLoadInsertedInReverseOrder) {
    start();
    kernel.failNext(Call::FinitModule, "top_mod", ENODEV);
    expectError([&] { load("top-mod"); }, ErrorKind::KernelRejected,
                "removed again what this request had inserted: middle, base");
    const auto calls = kernel.calls();
    ASSERT_EQ(calls.size(), 5U);
    EXPECT_EQ(calls[3], (FakeKernel::Record{Call::DeleteModule, "middle", "", O_NONBLOCK}));
    EXPECT_EQ(calls[4], (FakeKernel::Record{Call::DeleteModule, "base", "", O_NONBLOCK}));
    EXPECT_TRUE(loadedNames().empty());
}

TEST_F(AModuleEngine, LeavesADependencyLoadedBeforeWhenALoadFails) {
    start();
    load("base");
    kernel.failNext(Call::FinitModule, "top_mod", ENODEV);
    expectError([&] { load("top-mod"); }, ErrorKind::KernelRejected,
                "removed again what this request had inserted: middle");
    EXPECT_EQ(loadedNames(), std::vector<std::string>{"base"});
}

TEST_F(AModuleEngine, UnloadsTheDependenciesItsLoadInsertedInReverseOrder) {
    start();
    load("top-mod");
    const auto report = engine->unload(engine->prepareUnload("top-mod"));
    EXPECT_EQ(names(report.unloaded), (std::vector<std::string>{"top_mod", "middle", "base"}));
    EXPECT_TRUE(loadedNames().empty());
}

TEST_F(AModuleEngine, NeverUnloadsADependencyItsLoadDidNotInsert) {
    start();
    load("base");
    load("top-mod");
    const auto report = engine->unload(engine->prepareUnload("top-mod"));
    EXPECT_EQ(names(report.unloaded), (std::vector<std::string>{"top_mod", "middle"}));
    EXPECT_EQ(loadedNames(), std::vector<std::string>{"base"});
}

TEST_F(AModuleEngine, KeepsTheDependenciesWhenTheUnloadAsksTo) {
    start();
    load("top-mod");
    const auto report = engine->unload(engine->prepareUnload("top-mod", true));
    EXPECT_EQ(names(report.unloaded), std::vector<std::string>{"top_mod"});
    EXPECT_EQ(loadedNames(), (std::vector<std::string>{"base", "middle"}));
}

TEST_F(AModuleEngine, KeepsADependencyItsLoadInsertedThatSomethingStillUses) {
    start();
    load("top-mod");
    kernel.setRefcount("base", 1);
    const auto report = engine->unload(engine->prepareUnload("top-mod"));
    EXPECT_EQ(names(report.unloaded), (std::vector<std::string>{"top_mod", "middle"}));
    EXPECT_EQ(loadedNames(), std::vector<std::string>{"base"});
}

// A dependency removed and loaded again outside kmodd is no longer the one kmodd inserted.
TEST_F(AModuleEngine, ForgetsADependencyThatLeftTheKernelMeanwhile) {
    start();
    load("middle");
    kernel.deleteModule(ModuleName::parse("middle"), 0);
    kernel.deleteModule(ModuleName::parse("base"), 0);
    load("dummy");
    unload("dummy");
    kernel.addLoaded("base");
    kernel.addLoaded("middle", {"base"});
    const auto report = engine->unload(engine->prepareUnload("middle"));
    EXPECT_EQ(names(report.unloaded), std::vector<std::string>{"middle"});
    EXPECT_EQ(loadedNames(), std::vector<std::string>{"base"});
}

TEST_F(AModuleEngine, DescribesADryRunsPlanAndLoadsNothing) {
    start();
    load("base");
    const LoadPlan plan = engine->prepareLoad({"top-mod", parameters("top-mod", {"debug=1"}), {}});
    const auto report = engine->describe(plan);
    EXPECT_EQ(report.status, LoadStatus::DryRun);
    ASSERT_EQ(report.modules.size(), 3U);
    EXPECT_EQ(report.modules[0], (PlanEntry{ModuleName::parse("base"), tree.pathOf("base"), "",
                                            ModuleOutcome::AlreadyLoaded}));
    EXPECT_EQ(report.modules[1].outcome, ModuleOutcome::ToInsert);
    EXPECT_EQ(report.modules[2], (PlanEntry{ModuleName::parse("top_mod"), tree.pathOf("top-mod"),
                                            "debug=1", ModuleOutcome::ToInsert}));
    EXPECT_EQ(loadedNames(), std::vector<std::string>{"base"});
}

TEST_F(AModuleEngine, RefusesAValueOfTheWrongTypeBeforeAnythingReachesTheKernel) {
    start();
    expectError([&] { load("dummy", parameters("dummy", {"numdummies=abc"})); },
                ErrorKind::InvalidParameter,
                "parameter 'numdummies' of dummy takes int (a whole number from -2147483648 to "
                "2147483647), not 'abc'");
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleEngine, NamesModulesDisabledWhenTheKernelRefusesWithEperm) {
    start();
    kernel.setModuleRestrictions({.modulesDisabled = true});
    kernel.failNext(Call::FinitModule, "dummy", EPERM);
    expectError([&] { load("dummy"); }, ErrorKind::KernelRejected,
                "cannot load dummy: module loading is disabled until the next boot "
                "(kernel.modules_disabled=1 in /proc/sys/kernel/modules_disabled)");
}

TEST_F(AModuleEngine, NamesLockdownWhenTheKernelRefusesWithEperm) {
    start();
    kernel.setModuleRestrictions({.lockdown = "integrity"});
    kernel.failNext(Call::FinitModule, "dummy", EPERM);
    expectError([&] { load("dummy"); }, ErrorKind::KernelRejected,
                "the kernel is locked down ('integrity' in /sys/kernel/security/lockdown)");
}

TEST_F(AModuleEngine, NamesSignatureEnforcementWhenTheKernelRefusesTheSignature) {
    start();
    kernel.setModuleRestrictions({.signaturesEnforced = true});
    kernel.failNext(Call::FinitModule, "dummy", ENOKEY);
    expectError([&] { load("dummy"); }, ErrorKind::KernelRejected,
                "the kernel enforces module signatures (module.sig_enforce=1 in "
                "/sys/module/module/parameters/sig_enforce) and the module is unsigned");
}

TEST_F(AModuleEngine, ReportsAnUnknownModuleAsNotFound) {
    start();
    expectError([&] { load("no-such-module"); }, ErrorKind::NotFound, "no-such-module");
}

TEST_F(AModuleEngine, RefusesAMalformedNameBeforeLookingItUp) {
    start();
    expectError([&] { load("../../etc/passwd"); }, ErrorKind::InvalidArgument, "not a module");
}

TEST_F(AModuleEngine, UnloadsAModuleWithDeleteModuleNonBlocking) {
    start();
    load("dummy");
    unload("dummy");
    EXPECT_EQ(kernel.calls().back(),
              (FakeKernel::Record{Call::DeleteModule, "dummy", "", O_NONBLOCK}));
    EXPECT_TRUE(loadedNames().empty());
}

TEST_F(AModuleEngine, UnloadsByAlias) {
    start();
    load("top-mod");
    engine->unload(engine->prepareUnload("top-alias", true));
    EXPECT_EQ(loadedNames(), (std::vector<std::string>{"base", "middle"}));
}

TEST_F(AModuleEngine, RefusesToUnloadAModuleWithHoldersNamingThem) {
    start();
    load("top-mod");
    expectError([&] { unload("base"); }, ErrorKind::InUse,
                "cannot unload base: it is in use by middle, top_mod");
}

TEST_F(AModuleEngine, RefusesToUnloadAModuleWithReferences) {
    start();
    load("dummy");
    kernel.setRefcount("dummy", 2);
    expectError([&] { unload("dummy"); }, ErrorKind::InUse, "reference count 2");
}

TEST_F(AModuleEngine, ChecksHoldersAgainWhenTheUnloadRuns) {
    start();
    load("base");
    const UnloadPlan plan = engine->prepareUnload("base");
    load("middle");
    expectError([&] { engine->unload(plan); }, ErrorKind::InUse, "in use by middle");
}

TEST_F(AModuleEngine, ReportsUnloadingAModuleThatIsNotLoadedAsNotFound) {
    start();
    expectError([&] { unload("dummy"); }, ErrorKind::NotFound,
                "cannot unload dummy: it is not loaded");
    expectError([&] { unload("nothing-at-all"); }, ErrorKind::NotFound, "not loaded");
}

TEST_F(AModuleEngine, RefusesToUnloadADeniedModule) {
    Config config;
    config.deny = {"dummy"};
    start(config);
    kernel.addLoaded("dummy");
    expectError([&] { unload("dummy"); }, ErrorKind::NotAllowed, "dummy");
}

TEST_F(AModuleEngine, TurnsAnUnloadErrnoIntoASentence) {
    start();
    load("dummy");
    kernel.failNext(Call::DeleteModule, "dummy", EBUSY);
    expectError([&] { unload("dummy"); }, ErrorKind::Busy, "cannot unload dummy");
}

TEST_F(AModuleEngine, KeysIdenticalRequestsAlikeAndDifferentParametersApart) {
    start();
    const auto a = engine->prepareLoad({"dummy", parameters("dummy", {"numdummies=2"}), {}});
    const auto b = engine->prepareLoad({"dummy", parameters("dummy", {"numdummies=2"}), {}});
    const auto c = engine->prepareLoad({"dummy", parameters("dummy", {"numdummies=3"}), {}});
    EXPECT_EQ(a.key(), b.key());
    EXPECT_NE(a.key(), c.key());
    EXPECT_NE(a.key(), UnloadPlan{ModuleName::parse("dummy")}.key());
}

TEST_F(AModuleEngine, AppliesANewConfig) {
    start();
    Config config;
    config.trustedPaths = {tree.trustedRoot()};
    config.allow = std::vector<std::string>{"base"};
    engine->setConfig(config);
    expectError([&] { load("dummy"); }, ErrorKind::NotAllowed, "dummy");
    EXPECT_NO_THROW(load("base"));
}

std::size_t openDescriptors() {
    return static_cast<std::size_t>(
        std::distance(std::filesystem::directory_iterator("/proc/self/fd"),
                      std::filesystem::directory_iterator{}));
}

// Until polkit has answered, a request must cost no descriptor and no image, however many wait.
TEST_F(AModuleEngine, HoldsNoModuleFileOpenWhileAPlanWaitsForAuthorization) {
    start();
    const std::size_t before = openDescriptors();
    std::vector<LoadPlan> waiting;
    for (int i = 0; i < 32; ++i) {
        waiting.push_back(checkedPlan("top-mod", parameters("top-mod", {"debug=1"})));
        waiting.push_back(checkedPlan("xzmod"));
    }
    EXPECT_EQ(openDescriptors(), before);
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleEngine, RefusesALoadThatADenyReloadedMeanwhileCoversWhenTheKernelIsCalled) {
    start();
    LoadPlan plan = checkedPlan("dummy");
    Config config;
    config.trustedPaths = {tree.trustedRoot()};
    config.deny = {"dummy"};
    engine->setConfig(config);

    expectError([&] { engine->load(plan); }, ErrorKind::NotAllowed, "dummy");
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleEngine, RefusesADependencyThatADenyReloadedMeanwhileCovers) {
    start();
    LoadPlan plan = checkedPlan("top-mod");
    Config config;
    config.trustedPaths = {tree.trustedRoot()};
    config.deny = {"base"};
    engine->setConfig(config);

    expectError([&] { engine->load(plan); }, ErrorKind::NotAllowed, "base");
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleEngine, RefusesAnUnloadThatADenyReloadedMeanwhileCovers) {
    start();
    load("dummy");
    const UnloadPlan plan = engine->prepareUnload("dummy");
    Config config;
    config.trustedPaths = {tree.trustedRoot()};
    config.deny = {"dummy"};
    engine->setConfig(config);

    expectError([&] { engine->unload(plan); }, ErrorKind::NotAllowed, "dummy");
    EXPECT_EQ(loadedNames(), std::vector<std::string>{"dummy"});
}

TEST_F(AModuleEngine, OpensTheFilesWithTheTrustedPathsInForceWhenTheKernelIsCalled) {
    start();
    LoadPlan plan = checkedPlan("dummy");
    Config config;
    config.trustedPaths = {"/usr/lib/modules"};
    engine->setConfig(config);

    expectError([&] { engine->load(plan); }, ErrorKind::Untrusted, "trusted");
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleEngine, RefusesAnUndeclaredParameterFromTheFactsWithoutAPlanToLoad) {
    start();
    LoadPlan plan = engine->prepareLoad({"dummy", parameters("dummy", {"bogus=1"}), {}});
    const auto facts = std::make_shared<const ModuleFacts>(
        readModuleFacts({tree.trustedRoot()}, plan.filesToCheck().front()));
    expectError([&] { engine->checkFacts(plan, {facts}); }, ErrorKind::InvalidParameter, "bogus");
}

TEST_F(AModuleEngine, LeavesDependenciesLoadedWhenPlannedOutOfTheFilesToCheck) {
    start();
    load("base");
    const LoadPlan plan = engine->prepareLoad({"top-mod", {}, {}});
    std::vector<std::string> files;
    for (const auto& file : plan.filesToCheck()) {
        files.push_back(file.name.str());
    }
    EXPECT_EQ(files, (std::vector<std::string>{"middle", "top_mod"}));
}

// A module file replaced after its facts were checked and before the kernel is called: the
// file is opened and checked when the kernel is called, and the descriptor checked is the one
// loaded. The fake kernel takes the module's name from the bytes it is given, so it tells
// which file that was.
class AModuleFileSwappedAfterTheCheck : public AModuleEngine {
  protected:
    void SetUp() override {
        AModuleEngine::SetUp();
        tree.add({.name = "evil"});
        start();
    }
};

TEST_F(AModuleFileSwappedAfterTheCheck, IsLoadedFromTheDescriptorCheckedWhenTheKernelIsCalled) {
    LoadPlan plan = checkedPlan("dummy");
    std::filesystem::rename(tree.pathOf("evil"), tree.pathOf("dummy"));

    engine->load(plan);

    EXPECT_EQ(kernel.calls(),
              (std::vector<FakeKernel::Record>{{Call::FinitModule, "evil", "", 0}}));
}

TEST_F(AModuleFileSwappedAfterTheCheck, HasItsParametersCheckedAgainstTheFileThatIsLoaded) {
    LoadPlan plan = checkedPlan("dummy", parameters("dummy", {"numdummies=3"}));
    std::filesystem::rename(tree.pathOf("evil"), tree.pathOf("dummy"));

    expectError([&] { engine->load(plan); }, ErrorKind::InvalidParameter, "numdummies");
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleFileSwappedAfterTheCheck, ForASymlinkToAnUntrustedFileIsRefusedAndNothingLoaded) {
    const ScratchDirectory outside("outside");
    const std::filesystem::path untrusted = outside / "evil.ko";
    std::filesystem::copy_file(tree.pathOf("evil"), untrusted);
    std::filesystem::permissions(untrusted, std::filesystem::perms(0666));
    LoadPlan plan = checkedPlan("dummy");
    std::filesystem::remove(tree.pathOf("dummy"));
    std::filesystem::create_symlink(untrusted, tree.pathOf("dummy"));

    expectError([&] { engine->load(plan); }, ErrorKind::Untrusted, "symbolic link");
    EXPECT_TRUE(kernel.calls().empty());
}

TEST_F(AModuleFileSwappedAfterTheCheck, WhenDecompressedByKmoddIsRefusedIfNoLongerTrusted) {
    // The fake kernel names no compression, so kmodd would decompress the .ko.xz itself.
    LoadPlan plan = checkedPlan("xzmod");
    ::chmod(tree.pathOf("xzmod").c_str(), 0666);

    expectError([&] { engine->load(plan); }, ErrorKind::Untrusted, "writable");
    EXPECT_TRUE(kernel.calls().empty());
}

} // namespace

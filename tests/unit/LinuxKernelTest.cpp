#include "LinuxKernel.h"

#include "Error.h"
#include "ProcModules.h"
#include "ScratchDirectory.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>

namespace kmodd {
namespace {

namespace fs = std::filesystem;

ModuleName name(std::string_view raw) {
    return ModuleName::parse(raw);
}

TEST(AProcModulesLine, GivesNameSizeRefcountAndState) {
    const auto modules = parseProcModules("dummy 16384 0 - Live 0xffffffffc0a1c000\n");

    EXPECT_EQ(modules, (std::vector{LoadedModule{name("dummy"), 16384, 0, {}, ModuleState::Live}}));
}

TEST(AProcModulesLine, GivesTheHoldersAndIgnoresTaints) {
    const auto modules = parseProcModules(
        "nf_conntrack 176128 2 nf_nat,xt_conntrack, Live 0x0000000000000000 (E)\n");

    EXPECT_EQ(modules, (std::vector{LoadedModule{name("nf_conntrack"),
                                                 176128,
                                                 2,
                                                 {name("nf_nat"), name("xt_conntrack")},
                                                 ModuleState::Live}}));
}

TEST(AProcModulesLine, GivesNoRefcountWhenTheKernelCannotUnload) {
    const auto modules = parseProcModules("dummy 16384 - - Live 0x0000000000000000\n");

    ASSERT_EQ(modules.size(), 1U);
    EXPECT_EQ(modules[0].refcount, std::nullopt);
}

TEST(AProcModulesLine, MapsLoadingAndUnloadingToComingAndGoing) {
    const auto modules = parseProcModules("a 1 0 - Loading 0x0 (OE+)\n"
                                          "b 2 -1 - Unloading 0x0 (-)\n");

    ASSERT_EQ(modules.size(), 2U);
    EXPECT_EQ(modules[0].state, ModuleState::Coming);
    EXPECT_EQ(modules[1].state, ModuleState::Going);
}

TEST(AProcModulesLine, CountsTheMinusOneOfAModuleBeingUnloadedAsNoReferences) {
    const auto modules = parseProcModules("b 2 -1 - Unloading 0x0\n");

    ASSERT_EQ(modules.size(), 1U);
    EXPECT_EQ(modules[0].refcount, 0U);
}

TEST(AProcModulesLine, DoesNotTakeThePermanentMarkForAHolder) {
    const auto modules = parseProcModules("perm 4096 0 [permanent], Live 0x0\n"
                                          "held 4096 1 user,[permanent], Live 0x0\n");

    ASSERT_EQ(modules.size(), 2U);
    EXPECT_TRUE(modules[0].holders.empty());
    EXPECT_EQ(modules[1].holders, std::vector{name("user")});
}

TEST(AProcModulesText, ListsEveryLineInOrder) {
    const auto modules = parseProcModules("dummy 16384 0 - Live 0x0\n"
                                          "veth 40960 0 - Live 0x0\n");

    ASSERT_EQ(modules.size(), 2U);
    EXPECT_EQ(modules[0].name, name("dummy"));
    EXPECT_EQ(modules[1].name, name("veth"));
}

TEST(AProcModulesText, MayBeEmpty) {
    EXPECT_TRUE(parseProcModules("").empty());
}

class AMalformedProcModulesLine : public ::testing::TestWithParam<std::string> {};

TEST_P(AMalformedProcModulesLine, IsRefusedAndQuoted) {
    try {
        parseProcModules("dummy 16384 0 - Live 0x0\n" + GetParam() + "\n");
        FAIL() << "accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::Failed);
        EXPECT_EQ(std::string(error.what()),
                  "/proc/modules has a malformed line: '" + GetParam() + "'");
    }
}

INSTANTIATE_TEST_SUITE_P(
    OfEveryKind, AMalformedProcModulesLine,
    ::testing::Values("dummy 16384 0 - Live", "dummy 16384 0 - Live 0x0 (E) extra",
                      "dummy big 0 - Live 0x0", "dummy -1 0 - Live 0x0", "dummy 16384 x - Live 0x0",
                      "dummy 16384 99999999999 - Live 0x0", "dummy 16384 0 - Dead 0x0",
                      "dummy 16384 0 - Live 0x0 E", "dum/my 16384 0 - Live 0x0",
                      "dummy 16384 1 bad/holder, Live 0x0"));

TEST(AMalformedProcModulesLineWithControlCharacters, IsQuotedWithoutThem) {
    try {
        parseProcModules("dummy\x01\x1b[2J 16384 0 - Live 0x0\n");
        FAIL() << "accepted";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()),
                  "/proc/modules has a malformed line: 'dummy??[2J 16384 0 - Live 0x0'");
    }
}

// A fake /proc and /sys in a temporary directory.
class ALinuxKernel : public ::testing::Test {
  protected:
    ALinuxKernel() {
        tmp_.createDirectories("proc");
        tmp_.createDirectories("sys/module");
    }

    const testing::ScratchDirectory tmp_{"kernel"};
    LinuxKernel kernel_{tmp_ / "proc", tmp_ / "sys"};
};

TEST_F(ALinuxKernel, ReadsTheLoadedModulesFromProc) {
    tmp_.write("proc/modules", "dummy 16384 0 - Live 0xffffffffc0a1c000\n"
                               "nf_conntrack 176128 1 nf_nat, Live 0x0000000000000000 (E)\n");

    const auto modules = kernel_.loadedModules();

    ASSERT_EQ(modules.size(), 2U);
    EXPECT_EQ(modules[0].name, name("dummy"));
    EXPECT_EQ(modules[1].holders, std::vector{name("nf_nat")});
}

TEST_F(ALinuxKernel, FailsNamingProcModulesWhenItCannotBeRead) {
    try {
        kernel_.loadedModules();
        FAIL() << "read a missing file";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::Failed);
        EXPECT_EQ(std::string(error.what()), "cannot read " + (tmp_ / "proc/modules").string() +
                                                 ": No such file or directory");
    }
}

TEST_F(ALinuxKernel, ReadsTheKernelsModuleRestrictions) {
    tmp_.write("proc/sys/kernel/modules_disabled", "1\n");
    tmp_.write("sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
    tmp_.write("sys/module/module/parameters/sig_enforce", "Y\n");

    EXPECT_EQ(kernel_.moduleRestrictions(), (ModuleRestrictions{true, "integrity", true}));
}

TEST_F(ALinuxKernel, FindsNoRestrictionWhereTheKernelPublishesNone) {
    tmp_.write("proc/sys/kernel/modules_disabled", "0\n");
    tmp_.write("sys/kernel/security/lockdown", "[none] integrity confidentiality\n");

    EXPECT_EQ(kernel_.moduleRestrictions(), ModuleRestrictions{});
}

TEST_F(ALinuxKernel, ReadsTheParametersOfALoadedModuleFromSys) {
    tmp_.write("sys/module/dummy/initstate", "live\n");
    tmp_.write("sys/module/dummy/parameters/numdummies", "1\n");
    tmp_.write("sys/module/dummy/parameters/label", "two words\n\n");
    tmp_.write("sys/module/dummy/parameters/empty", "");

    EXPECT_EQ(kernel_.moduleParameters(name("dummy")),
              (ModuleParameters{{"empty", ""}, {"label", "two words"}, {"numdummies", "1"}}));
}

TEST_F(ALinuxKernel, GivesNoValueForAParameterOthersMayNotRead) {
    tmp_.write("sys/module/dummy/initstate", "live\n");
    tmp_.write("sys/module/dummy/parameters/public", "1\n", std::filesystem::perms(0444));
    tmp_.write("sys/module/dummy/parameters/secret", "key\n", std::filesystem::perms(0400));
    tmp_.write("sys/module/dummy/parameters/group", "2\n", std::filesystem::perms(0640));
    tmp_.write("sys/module/dummy/parameters/writeonly", "", std::filesystem::perms(0200));

    EXPECT_EQ(
        kernel_.moduleParameters(name("dummy")),
        (ModuleParameters{{"group", std::nullopt}, {"public", "1"}, {"secret", std::nullopt}}));
}

TEST_F(ALinuxKernel, ReadsTheParametersOfABuiltInModule) {
    tmp_.write("sys/module/ext4/parameters/mballoc_debug", "0\n");

    EXPECT_EQ(kernel_.moduleParameters(name("ext4")), (ModuleParameters{{"mballoc_debug", "0"}}));
}

TEST_F(ALinuxKernel, SaysAModuleWithoutParametersHasNone) {
    tmp_.createDirectories("sys/module/veth");

    EXPECT_EQ(kernel_.moduleParameters(name("veth")), ModuleParameters{});
}

TEST_F(ALinuxKernel, KnowsNothingOfAModuleWithoutADirectory) {
    EXPECT_EQ(kernel_.moduleParameters(name("absent")), std::nullopt);
}

TEST_F(ALinuxKernel, SkipsParametersItCannotRead) {
    tmp_.write("sys/module/dummy/initstate", "live\n");
    tmp_.write("sys/module/dummy/parameters/readable", "yes\n");
    tmp_.write("sys/module/dummy/parameters/write_only", "secret\n", fs::perms(0200));
    tmp_.createDirectories("sys/module/dummy/parameters/not_a_file");
    fs::create_symlink("missing", tmp_ / "sys/module/dummy/parameters/dangling");

    EXPECT_EQ(kernel_.moduleParameters(name("dummy")), (ModuleParameters{{"readable", "yes"}}));
}

TEST_F(ALinuxKernel, ReadsTheKernelsModuleCompression) {
    tmp_.write("sys/module/compression", "zstd\n");

    EXPECT_EQ(kernel_.compression(), "zstd");
}

TEST_F(ALinuxKernel, DecompressesNothingWithoutACompressionFile) {
    EXPECT_EQ(kernel_.compression(), "");
}

TEST_F(ALinuxKernel, ReturnsTheErrnoWhenTheKernelRefusesAnEmptyModuleFile) {
    tmp_.write("empty.ko", "");
    const int fd = ::open((tmp_ / "empty.ko").c_str(), O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);

    // Whatever the kernel (ENOEXEC, EPERM without CAP_SYS_MODULE, ENOSYS), it loads nothing.
    EXPECT_NE(kernel_.finitModule(fd, "", 0), 0);
    ::close(fd);
}

TEST_F(ALinuxKernel, ReturnsTheErrnoWhenUnloadingAModuleThatIsNotLoaded) {
    EXPECT_NE(kernel_.deleteModule(name("kmodd_test_never_loaded"), O_NONBLOCK), 0);
}

} // namespace
} // namespace kmodd

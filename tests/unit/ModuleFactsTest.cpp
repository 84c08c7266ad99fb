#include "ModuleFacts.h"

#include "ErrorFrom.h"
#include "ModuleTree.h"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace kmodd {
namespace {

using testing::errorFrom;
using ::testing::HasSubstr;
using testing::ModuleTree;
using ::testing::UnorderedElementsAre;

class ModuleFactsOfAFile : public ::testing::Test {
  protected:
    ModuleFacts read(const std::string& name) {
        return readModuleFacts({tree.trustedRoot()}, {ModuleName::parse(name), tree.pathOf(name)});
    }

    ModuleTree tree;
};

TEST_F(ModuleFactsOfAFile, HoldTheVersionAndTheDeclaredParameters) {
    tree.add({.name = "dummy",
              .parameters = {"numdummies:int", "debug-level:uint"},
              .version = "1.2.3"});

    const ModuleFacts facts = read("dummy");

    EXPECT_EQ(facts.first("version"), "1.2.3");
    EXPECT_EQ(facts.first("signer"), "");
    EXPECT_THAT(facts.modinfo.declaredParameters(),
                UnorderedElementsAre("numdummies", "debug_level"));
}

TEST_F(ModuleFactsOfAFile, AreReadFromACompressedFile) {
    tree.add({.name = "packed", .parameters = {"size:int"}, .version = "4.5"});
    tree.compress("packed", Compression::Xz);

    const ModuleFacts facts = read("packed");

    EXPECT_EQ(facts.first("version"), "4.5");
    EXPECT_THAT(facts.modinfo.declaredParameters(), UnorderedElementsAre("size"));
}

TEST_F(ModuleFactsOfAFile, KeepOnlyWhatKmoddUses) {
    tree.add({.name = "dummy", .aliases = {"rtnl-link-dummy"}, .version = "1"});

    const ModuleFacts facts = read("dummy");
    ASSERT_FALSE(facts.modinfo.entries().empty());
    for (const auto& [key, value] : facts.modinfo.entries()) {
        EXPECT_THAT((std::vector<std::string>{"version", "signer", "parm", "parmtype"}),
                    ::testing::Contains(key));
    }
}

TEST_F(ModuleFactsOfAFile, CarryTheIdentityOfTheFileRead) {
    tree.add({.name = "dummy"});
    struct stat st {};
    ASSERT_EQ(::stat(tree.pathOf("dummy").c_str(), &st), 0);

    EXPECT_EQ(read("dummy").identity, identityOf(st));
}

TEST_F(ModuleFactsOfAFile, AreNotReadFromAFileThatFailsTheTrustRules) {
    tree.add({.name = "dummy"});
    ::chmod(tree.pathOf("dummy").c_str(), 0666);

    EXPECT_THAT(errorFrom([&] { read("dummy"); }, ErrorKind::Untrusted),
                HasSubstr("writable by group or others"));
}

TEST_F(ModuleFactsOfAFile, AreRefusedForAFileThatIsNotAModule) {
    tree.add({.name = "dummy"});
    { std::ofstream(tree.pathOf("dummy"), std::ios::trunc) << "not an ELF file"; }

    EXPECT_THAT(errorFrom([&] { read("dummy"); }, ErrorKind::KernelRejected),
                HasSubstr("is not a readable kernel module"));
}

} // namespace
} // namespace kmodd

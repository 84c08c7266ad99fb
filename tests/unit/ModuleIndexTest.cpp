#include "ModuleIndex.h"

#include "Error.h"
#include "ErrorFrom.h"
#include "ModuleTree.h"
#include "ScratchDirectory.h"

#include <filesystem>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kmodd {

void PrintTo(const ModuleFile& file, std::ostream* out) {
    *out << file.name.str() << " at " << file.path;
}

namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using testing::errorFrom;
using ::testing::HasSubstr;
using testing::ModuleTree;

class AModuleIndex : public ::testing::Test {
  protected:
    // An empty modprobe.d stands in for the host's, so that its aliases cannot leak in.
    std::unique_ptr<ModuleIndex> openIndex() {
        tree.index();
        return std::make_unique<ModuleIndex>(tree.moduleDirectory(),
                                             std::vector{configDirectory.path()});
    }

    void writeConfig(const std::string& text) const { configDirectory.write("test.conf", text); }

    ModuleFile fileOf(const std::string& name) const {
        return {ModuleName::parse(name), tree.pathOf(name)};
    }

    ModuleTree tree;
    const testing::ScratchDirectory configDirectory{"modprobe.d"};
};

TEST_F(AModuleIndex, ResolvesAModuleByName) {
    tree.add({.name = "dummy"});

    const auto resolution = openIndex()->resolve("dummy");

    EXPECT_EQ(resolution.requested, "dummy");
    EXPECT_EQ(resolution.name.str(), "dummy");
    EXPECT_FALSE(resolution.builtin);
    EXPECT_THAT(resolution.loadOrder, ElementsAre(fileOf("dummy")));
    EXPECT_TRUE(resolution.loadOrder.front().path.is_absolute());
}

// Every test of reloading runs twice: with the inotify watch, and comparing every file as
// where inotify cannot tell.
class AReloadedModuleIndex : public AModuleIndex,
                             public ::testing::WithParamInterface<ChangeDetection> {
  protected:
    std::unique_ptr<ModuleIndex> openIndex() { return openIndexReading({configDirectory.path()}); }

    std::unique_ptr<ModuleIndex>
    openIndexReading(const std::vector<std::filesystem::path>& configPaths) {
        tree.index();
        auto index = std::make_unique<ModuleIndex>(tree.moduleDirectory(), configPaths, GetParam());
        EXPECT_EQ(index->watchesForChanges(), GetParam() == ChangeDetection::Watch);
        return index;
    }
};

INSTANTIATE_TEST_SUITE_P(WatchedAndCompared, AReloadedModuleIndex,
                         ::testing::Values(ChangeDetection::Watch, ChangeDetection::Compare));

TEST_P(AReloadedModuleIndex, FindsAModuleThatDepmodIndexedAfterItOpened) {
    tree.add({.name = "dummy"});
    const auto index = openIndex();
    tree.add({.name = "veth"});
    tree.index();
    EXPECT_EQ(errorFrom([&] { index->resolve("veth"); }, ErrorKind::NotFound),
              "module 'veth' not found in " + tree.moduleDirectory().string());

    index->reloadIfChanged();

    EXPECT_THAT(index->resolve("veth").loadOrder, ElementsAre(fileOf("veth")));
}

TEST_P(AReloadedModuleIndex, UsesAnAliasAddedToModprobeDAfterItOpened) {
    tree.add({.name = "dummy"});
    const auto index = openIndex();

    writeConfig("alias late-alias dummy\n");
    index->reloadIfChanged();

    EXPECT_EQ(index->resolve("late-alias").name.str(), "dummy");
}

// libkmod itself notices only a file added or removed, by the directory's mtime.
TEST_P(AReloadedModuleIndex, UsesAModprobeDFileEditedInPlaceAfterItOpened) {
    tree.add({.name = "dummy"});
    writeConfig("alias early dummy\n");
    const auto index = openIndex();

    writeConfig("alias later-alias dummy\n");
    index->reloadIfChanged();

    EXPECT_EQ(index->resolve("later-alias").name.str(), "dummy");
}

// As editors and dpkg write a file: beside it, then renamed over it.
TEST_P(AReloadedModuleIndex, UsesAModprobeDFileReplacedByRenameAfterItOpened) {
    tree.add({.name = "dummy"});
    writeConfig("alias early dummy\n");
    const auto index = openIndex();
    index->reloadIfChanged();

    const auto replacement = configDirectory.write("test.conf.dpkg-new", "alias renamed dummy\n");
    std::filesystem::rename(replacement, configDirectory / "test.conf");
    index->reloadIfChanged();

    EXPECT_EQ(index->resolve("renamed").name.str(), "dummy");
}

TEST_P(AReloadedModuleIndex, UsesAModprobeDDirectoryCreatedAfterItOpened) {
    tree.add({.name = "dummy"});
    const auto later = configDirectory / "created-later.d";
    const auto index = openIndexReading({later});

    configDirectory.write("created-later.d/late.conf", "alias from-later-dir dummy\n");
    index->reloadIfChanged();

    EXPECT_EQ(index->resolve("from-later-dir").name.str(), "dummy");
}

TEST_P(AReloadedModuleIndex, ForgetsAnAliasOfAModprobeDDirectoryRemovedAfterItOpened) {
    tree.add({.name = "dummy"});
    configDirectory.write("removed-later.d/gone.conf", "alias soon-gone dummy\n");
    const auto index = openIndexReading({configDirectory / "removed-later.d"});
    EXPECT_EQ(index->resolve("soon-gone").name.str(), "dummy");

    std::filesystem::remove_all(configDirectory / "removed-later.d");
    index->reloadIfChanged();

    EXPECT_EQ(errorFrom([&] { index->resolve("soon-gone"); }, ErrorKind::NotFound),
              "module 'soon-gone' not found in " + tree.moduleDirectory().string());
}

TEST_P(AReloadedModuleIndex, UsesTheEditedTargetOfALinkedModprobeDFile) {
    tree.add({.name = "dummy"});
    const testing::ScratchDirectory elsewhere("linked-config");
    const auto target = elsewhere.write("linked.conf", "alias early dummy\n");
    std::filesystem::create_symlink(target, configDirectory / "linked.conf");
    const auto index = openIndex();

    elsewhere.write("linked.conf", "alias through-link dummy\n");
    index->reloadIfChanged();

    EXPECT_EQ(index->resolve("through-link").name.str(), "dummy");
}

TEST_P(AReloadedModuleIndex, FailsToReloadADirectoryRemovedAfterItOpenedNamingIt) {
    tree.add({.name = "dummy"});
    const auto index = openIndex();
    const auto movedAway = tree.moduleDirectory().string() + ".moved";
    std::filesystem::rename(tree.moduleDirectory(), movedAway);

    const auto error = errorFrom([&] { index->reloadIfChanged(); }, ErrorKind::Failed);

    std::filesystem::rename(movedAway, tree.moduleDirectory());
    EXPECT_EQ(error, "the module directory " + tree.moduleDirectory().string() + " does not exist");
}

// Nothing changes after the first failure: a watch alone would have nothing more to say.
TEST_P(AReloadedModuleIndex, KeepsFailingUntilARemovedDirectoryIsBackThenReloadsIt) {
    tree.add({.name = "dummy"});
    const auto index = openIndex();
    const auto movedAway = tree.moduleDirectory().string() + ".moved";
    std::filesystem::rename(tree.moduleDirectory(), movedAway);
    errorFrom([&] { index->reloadIfChanged(); }, ErrorKind::Failed);

    const auto again = errorFrom([&] { index->reloadIfChanged(); }, ErrorKind::Failed);
    std::filesystem::rename(movedAway, tree.moduleDirectory());
    tree.add({.name = "veth"});
    tree.index();
    index->reloadIfChanged();

    EXPECT_EQ(again, "the module directory " + tree.moduleDirectory().string() + " does not exist");
    EXPECT_THAT(index->resolve("veth").loadOrder, ElementsAre(fileOf("veth")));
}

TEST_F(AModuleIndex, FindsTheFileOfAModuleByItsExactName) {
    tree.add({.name = "user-mod", .aliases = {"user-alias"}});
    tree.addBuiltin("ext9");
    const auto index = openIndex();

    EXPECT_EQ(index->fileOf(ModuleName::parse("user_mod")), tree.pathOf("user-mod"));
    EXPECT_EQ(index->fileOf(ModuleName::parse("user_alias")), std::nullopt);
    EXPECT_EQ(index->fileOf(ModuleName::parse("ext9")), std::nullopt);
    EXPECT_EQ(index->fileOf(ModuleName::parse("nosuch")), std::nullopt);
}

TEST_F(AModuleIndex, ResolvesDashAndUnderscoreSpellingsToTheSameModule) {
    tree.add({.name = "user-mod"});
    const auto index = openIndex();

    for (const auto* spelling : {"user-mod", "user_mod"}) {
        const auto resolution = index->resolve(spelling);
        EXPECT_EQ(resolution.requested, spelling);
        EXPECT_EQ(resolution.name.str(), "user_mod");
        EXPECT_THAT(resolution.loadOrder, ElementsAre(fileOf("user-mod")));
    }
}

TEST_F(AModuleIndex, ResolvesAnAliasToItsModule) {
    tree.add({.name = "fakefs", .aliases = {"fs-fakefs", "pci:v00001234d*"}});
    const auto index = openIndex();

    for (const auto* alias : {"fs-fakefs", "pci:v00001234d00005678"}) {
        const auto resolution = index->resolve(alias);
        EXPECT_EQ(resolution.requested, alias);
        EXPECT_EQ(resolution.name.str(), "fakefs");
        EXPECT_THAT(resolution.loadOrder, ElementsAre(fileOf("fakefs")));
    }
}

TEST_F(AModuleIndex, CountsAModuleThatMatchesAnAliasSeveralWaysOnce) {
    tree.add({.name = "nic", .aliases = {"pci:v00001234d*", "pci:v0000123*"}});

    EXPECT_EQ(openIndex()->resolve("pci:v00001234d00000001").name.str(), "nic");
}

TEST_F(AModuleIndex, ResolvesAnAliasFromTheGivenConfigDirectory) {
    tree.add({.name = "dummy"});
    writeConfig("alias my-nickname dummy\n");

    EXPECT_THAT(openIndex()->resolve("my-nickname").loadOrder, ElementsAre(fileOf("dummy")));
}

TEST_F(AModuleIndex, ReportsABuiltinModuleWithNothingToLoad) {
    tree.add({.name = "dummy"});
    tree.addBuiltin("ext9");

    const auto resolution = openIndex()->resolve("ext9");

    EXPECT_EQ(resolution.name.str(), "ext9");
    EXPECT_TRUE(resolution.builtin);
    EXPECT_THAT(resolution.loadOrder, ElementsAre());
}

TEST_F(AModuleIndex, LoadsDependenciesFirstAndASharedDependencyOnce) {
    tree.add({.name = "base", .exports = {"base_fn", "base_other"}});
    tree.add({.name = "middle", .exports = {"middle_fn"}, .uses = {"base_fn"}});
    tree.add({.name = "top-mod", .uses = {"middle_fn", "base_other"}, .directory = "kernel/b"});
    tree.compress("middle", Compression::Xz);
    tree.compress("top-mod", Compression::Zstd);

    const auto resolution = openIndex()->resolve("top_mod");

    EXPECT_EQ(resolution.name.str(), "top_mod");
    EXPECT_THAT(resolution.loadOrder,
                ElementsAre(fileOf("base"), fileOf("middle"), fileOf("top-mod")));
}

TEST_F(AModuleIndex, RefusesAnUnknownNameAsNotFound) {
    tree.add({.name = "dummy"});
    const auto index = openIndex();

    EXPECT_THAT(errorFrom([&] { index->resolve("nosuch"); }, ErrorKind::NotFound),
                HasSubstr("module 'nosuch' not found in " + tree.moduleDirectory().string()));
}

TEST_F(AModuleIndex, RefusesAConfigAliasOfAModuleWithoutAFile) {
    tree.add({.name = "dummy"});
    writeConfig("alias ghost nosuch\n");
    const auto index = openIndex();

    EXPECT_THAT(errorFrom([&] { index->resolve("ghost"); }, ErrorKind::NotFound),
                HasSubstr("nosuch"));
}

TEST_F(AModuleIndex, RefusesAnAliasOfSeveralModulesNamingThem) {
    tree.add({.name = "first", .aliases = {"shared-alias"}});
    tree.add({.name = "second", .aliases = {"shared-alias"}});
    const auto index = openIndex();

    EXPECT_THAT(errorFrom([&] { index->resolve("shared-alias"); }, ErrorKind::InvalidArgument),
                AllOf(HasSubstr("'shared-alias'"), HasSubstr("first, second")));
}

TEST_F(AModuleIndex, RefusesADirectoryWithoutAnIndexSayingToRunDepmod) {
    const testing::ScratchDirectory empty("no-index");

    EXPECT_THAT(
        errorFrom([&] { ModuleIndex index(empty.path(), std::vector{configDirectory.path()}); },
                  ErrorKind::Failed),
        AllOf(HasSubstr(empty.path().string()), HasSubstr("depmod")));
}

TEST_F(AModuleIndex, RefusesAMissingDirectorySayingItDoesNotExist) {
    const auto missing = tree.moduleDirectory() / "missing";

    EXPECT_EQ(errorFrom([&] { ModuleIndex index(missing, std::vector{configDirectory.path()}); },
                        ErrorKind::Failed),
              "the module directory " + missing.string() + " does not exist");
}

} // namespace
} // namespace kmodd

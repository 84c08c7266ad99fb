#include "ScratchDirectory.h"
#include "Suggestions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kmodctl {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::vector<std::string> modules{"dummy",  "dm_mod",       "veth", "vxlan", "snd_dummy",
                                       "bridge", "br_netfilter", "ext4", "ext2",  "ext3"};

TEST(AModuleNameSuggestion, FindsTheNameOneTypoAway) {
    EXPECT_THAT(closeNames("dumy", modules), ElementsAre("dummy"));
    EXPECT_THAT(closeNames("dummmy", modules), ElementsAre("dummy"));
    EXPECT_THAT(closeNames("dumym", modules), ElementsAre("dummy")) << "a swap is one typo";
    EXPECT_THAT(closeNames("brdige", modules), ElementsAre("bridge"));
}

TEST(AModuleNameSuggestion, IgnoresCaseAndTreatsDashesAsUnderscores) {
    EXPECT_THAT(closeNames("Dummy", modules), ElementsAre("dummy"));
    EXPECT_THAT(closeNames("snd-dumy", modules), ElementsAre("snd_dummy"));
}

TEST(AModuleNameSuggestion, AllowsMoreTyposInLongerNames) {
    EXPECT_THAT(closeNames("br_netfiltr", modules), ElementsAre("br_netfilter"));
    EXPECT_THAT(closeNames("br_ntfiltr", modules), ElementsAre("br_netfilter"));
    EXPECT_THAT(closeNames("vth", modules), ElementsAre("veth"));
    EXPECT_THAT(closeNames("vh", modules), IsEmpty()) << "two typos in a short name are too many";
}

TEST(AModuleNameSuggestion, ListsAtMostThreeClosestFirstThenByName) {
    EXPECT_THAT(closeNames("ext5", modules), ElementsAre("ext2", "ext3", "ext4"));
    EXPECT_THAT(closeNames("ext5", modules, 2), ElementsAre("ext2", "ext3"));
    EXPECT_THAT(closeNames("ext", {"ext44", "ext4", "ex"}), ElementsAre("ex", "ext4"));
}

TEST(AModuleNameSuggestion, NeverSuggestsTheNameTypedOrAFarOne) {
    EXPECT_THAT(closeNames("snd-dummy", modules), IsEmpty());
    EXPECT_THAT(closeNames("nosuchmodule", modules), IsEmpty());
    EXPECT_THAT(closeNames("", modules), IsEmpty());
}

TEST(AModuleNameSuggestion, ReadsAsAQuestion) {
    EXPECT_EQ(didYouMean({}), "");
    EXPECT_EQ(didYouMean({"dummy"}), "did you mean dummy?");
    EXPECT_EQ(didYouMean({"ext2", "ext3"}), "did you mean ext2 or ext3?");
    EXPECT_EQ(didYouMean({"ext2", "ext3", "ext4"}), "did you mean ext2, ext3 or ext4?");
}

TEST(TheModuleNamesOfADirectory, AreTheFilesOfModulesDepAndModulesBuiltin) {
    const kmodd::testing::ScratchDirectory directory("suggestions");
    directory.write("modules.dep", "kernel/drivers/net/dummy.ko.xz:\n"
                                   "kernel/sound/drivers/snd-dummy.ko: kernel/sound/snd.ko\n"
                                   "kernel/sound/snd.ko:\n"
                                   "updates/zram.ko.zst:\n"
                                   "\n"
                                   "garbage line\n");
    directory.write("modules.builtin", "kernel/fs/ext4/ext4.ko\n");

    EXPECT_THAT(moduleNamesIn(directory.path()),
                ElementsAre("dummy", "ext4", "snd", "snd_dummy", "zram"));
}

TEST(TheModuleNamesOfADirectory, AreNoneWhenItHasNoIndex) {
    const kmodd::testing::ScratchDirectory directory("suggestions");

    EXPECT_THAT(moduleNamesIn(directory.path()), IsEmpty());
    EXPECT_THAT(moduleNamesIn(directory / "missing"), IsEmpty());
}

} // namespace
} // namespace kmodctl

#include "PathChangeWatch.h"

#include "ScratchDirectory.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace kmodd {
namespace {

namespace fs = std::filesystem;

class APathChangeWatch : public ::testing::Test {
  protected:
    void SetUp() override { scratch.createDirectories("watched.d"); }

    PathChangeWatch watchDirectory(bool followLinkedEntries = false) const {
        PathChangeWatch watch({{directory(), followLinkedEntries}});
        EXPECT_TRUE(watch.watching()) << "inotify cannot watch " << directory();
        return watch;
    }

    fs::path directory() const { return scratch / "watched.d"; }

    const testing::ScratchDirectory scratch{"watch"};
};

TEST_F(APathChangeWatch, SeesNothingChangedWhileNothingIsWritten) {
    scratch.write("watched.d/a.conf", "alias a dummy\n");
    auto watch = watchDirectory();

    std::ifstream(directory() / "a.conf").get();
    static_cast<void>(fs::directory_iterator(directory()));

    EXPECT_FALSE(watch.changedSinceLastLook());
    EXPECT_FALSE(watch.changedSinceLastLook());
}

TEST_F(APathChangeWatch, SeesAFileCreatedInTheDirectoryOnceThenNothingMore) {
    auto watch = watchDirectory();

    scratch.write("watched.d/new.conf", "alias n dummy\n");

    EXPECT_TRUE(watch.changedSinceLastLook());
    EXPECT_FALSE(watch.changedSinceLastLook());
}

TEST_F(APathChangeWatch, SeesAFileEditedInPlace) {
    scratch.write("watched.d/a.conf", "alias a dummy\n");
    auto watch = watchDirectory();

    std::ofstream(directory() / "a.conf", std::ios::app) << "alias b dummy\n";

    EXPECT_TRUE(watch.changedSinceLastLook());
}

// As editors and dpkg write: a new file beside, renamed over the old one.
TEST_F(APathChangeWatch, SeesAFileReplacedByRename) {
    scratch.write("watched.d/a.conf", "alias a dummy\n");
    const auto replacement = scratch.write("a.conf.new", "alias b dummy\n");
    auto watch = watchDirectory();

    fs::rename(replacement, directory() / "a.conf");

    EXPECT_TRUE(watch.changedSinceLastLook());
}

TEST_F(APathChangeWatch, SeesTheDirectoryCreatedAfterItStartedAndThenWhatIsWrittenInIt) {
    fs::remove(directory());
    auto watch = watchDirectory();

    fs::create_directory(directory());
    EXPECT_TRUE(watch.changedSinceLastLook());
    scratch.write("watched.d/late.conf", "alias l dummy\n");

    EXPECT_TRUE(watch.changedSinceLastLook());
}

TEST_F(APathChangeWatch, SeesTheDirectoryCreatedBelowAParentThatWasMissingToo) {
    const auto deep = scratch / "missing" / "deeper.d";
    PathChangeWatch watch({{deep}});

    scratch.createDirectories("missing");
    EXPECT_TRUE(watch.changedSinceLastLook());
    scratch.createDirectories("missing/deeper.d");

    EXPECT_TRUE(watch.changedSinceLastLook());
}

TEST_F(APathChangeWatch, SeesTheDirectoryRemovedAndThenRecreated) {
    scratch.write("watched.d/a.conf", "alias a dummy\n");
    auto watch = watchDirectory();

    fs::rename(directory(), scratch / "moved-away.d");
    EXPECT_TRUE(watch.changedSinceLastLook());
    // The moved directory is not the watched path any more.
    scratch.write("moved-away.d/b.conf", "alias b dummy\n");
    EXPECT_FALSE(watch.changedSinceLastLook());
    fs::rename(scratch / "moved-away.d", directory());

    EXPECT_TRUE(watch.changedSinceLastLook());
}

TEST_F(APathChangeWatch, IgnoresWhatChangesBesideTheWatchedPathInItsParent) {
    auto watch = watchDirectory();

    scratch.write("unrelated.conf", "alias u dummy\n");
    scratch.createDirectories("other.d");

    EXPECT_FALSE(watch.changedSinceLastLook());
}

TEST_F(APathChangeWatch, SeesTheTargetOfALinkedEntryEditedWhenFollowingLinks) {
    const auto target = scratch.write("elsewhere/linked.conf", "alias a dummy\n");
    fs::create_symlink(target, directory() / "linked.conf");
    auto watch = watchDirectory(true);

    std::ofstream(target, std::ios::app) << "alias b dummy\n";

    EXPECT_TRUE(watch.changedSinceLastLook());
}

// A link to /dev/null masks a file; every write to /dev/null on the machine must not count.
TEST_F(APathChangeWatch, IgnoresWritesToTheDeviceALinkedEntryPointsTo) {
    fs::create_symlink("/dev/null", directory() / "masked.conf");
    auto watch = watchDirectory(true);

    std::ofstream("/dev/null") << "written\n";

    EXPECT_FALSE(watch.changedSinceLastLook());
}

TEST_F(APathChangeWatch, SeesAWatchedFileReplacedByRename) {
    const auto file = scratch.write("single.conf", "alias a dummy\n");
    const auto replacement = scratch.write("single.conf.new", "alias b dummy\n");
    PathChangeWatch watch({{file}});

    fs::rename(replacement, file);
    EXPECT_TRUE(watch.changedSinceLastLook());
    std::ofstream(file, std::ios::app) << "alias c dummy\n";

    EXPECT_TRUE(watch.changedSinceLastLook());
}

} // namespace
} // namespace kmodd

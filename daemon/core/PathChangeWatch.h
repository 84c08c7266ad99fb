#pragma once

#include "UniqueFd.h"

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace kmodd {

/// A path whose changes a PathChangeWatch notices.
struct WatchedPath {
    std::filesystem::path path;
    /// For a directory: also notice a change of the files its symbolic links point to, as
    /// stat() of each entry would (modprobe.d files may be links to elsewhere).
    bool followLinkedEntries = false;
};

/// Says whether anything at a few paths may have changed since it last looked, so that its
/// caller can skip comparing every file's stat() when nothing did. inotify watches each path
/// (a directory: its entries, created, removed, renamed, written or touched) and every
/// directory above it for the next name on the way (so that a path removed, renamed away or
/// created later is noticed too). Any such event, a lost watch or an overflowed queue means
/// "changed", and the watches are then set again. Looking costs one read() of the inotify
/// descriptor. Where inotify cannot tell (no instance or watch left, or a path on a network
/// file system, changed by other machines without a local event, as coreutils' tail knows),
/// every look says "changed". Not thread-safe.
class PathChangeWatch {
  public:
    /// Sets the watches. A change after the constructor returns is seen by the first look.
    explicit PathChangeWatch(std::vector<WatchedPath> paths);

    /// True if something may have changed since the previous call (or the constructor). The
    /// watches are set again before it returns, so that a change made afterwards is seen by the
    /// next call; the caller compares the paths' state after this call, not before.
    bool changedSinceLastLook();

    /// False when inotify cannot tell, and every look says "changed".
    bool watching() const noexcept { return static_cast<bool>(inotify_); }

  private:
    /// What counts on one watch descriptor: every event, or those about one of these names.
    struct Interest {
        bool everyEvent = false;
        std::set<std::string> names;
    };

    void arm();
    void watchWithItsParents(const std::filesystem::path& path);
    /// False when inotify cannot watch it (after which nothing is watched).
    bool addWatch(const std::filesystem::path& path, std::uint32_t mask, const std::string* name);
    bool drainSawChange();
    void giveUp();

    std::vector<WatchedPath> paths_;
    UniqueFd inotify_;
    std::map<int, Interest> interests_;
};

} // namespace kmodd

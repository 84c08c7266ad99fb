#include "PathChangeWatch.h"

#include <array>
#include <cerrno>
#include <linux/magic.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>

namespace kmodd {
namespace {

// A directory's entries: what adds, removes, replaces, edits or touches a file in it.
constexpr std::uint32_t entryEvents =
    IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB;
// The watched inode itself going away or moving: its path no longer leads to it.
constexpr std::uint32_t selfEvents = IN_DELETE_SELF | IN_MOVE_SELF;
// On the way to a path, a directory matters only for the next name, created, removed or moved.
constexpr std::uint32_t nameEvents =
    IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | selfEvents | IN_ONLYDIR;

// Changes made on another machine, or by a server, raise no local inotify event.
bool onNetworkFileSystem(const std::filesystem::path& path) {
    struct statfs fs {};
    if (::statfs(path.c_str(), &fs) != 0) {
        return false;
    }
    switch (static_cast<unsigned long>(fs.f_type)) {
    case NFS_SUPER_MAGIC:
    case SMB_SUPER_MAGIC:
    case CIFS_SUPER_MAGIC:
    case SMB2_SUPER_MAGIC:
    case V9FS_MAGIC:
    case FUSE_SUPER_MAGIC:
    case CEPH_SUPER_MAGIC:
    case AFS_SUPER_MAGIC:
    case AFS_FS_MAGIC:
    case CODA_SUPER_MAGIC:
    case OCFS2_SUPER_MAGIC:
        return true;
    default:
        return false;
    }
}

bool isRegularFile(const std::filesystem::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

} // namespace

PathChangeWatch::PathChangeWatch(std::vector<WatchedPath> paths) : paths_(std::move(paths)) {
    for (auto& watched : paths_) {
        watched.path = std::filesystem::absolute(watched.path).lexically_normal();
    }
    arm();
}

bool PathChangeWatch::changedSinceLastLook() {
    if (!inotify_) {
        return true;
    }
    if (!drainSawChange()) {
        return false;
    }
    arm();
    return true;
}

void PathChangeWatch::arm() {
    interests_.clear();
    inotify_.reset(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    for (const auto& watched : paths_) {
        if (!inotify_) {
            return;
        }
        watchWithItsParents(watched.path);
        std::error_code error;
        if (!watched.followLinkedEntries || !std::filesystem::is_directory(watched.path, error)) {
            continue;
        }
        for (std::filesystem::directory_iterator entry(watched.path, error), end;
             inotify_ && !error && entry != end; entry.increment(error)) {
            std::error_code linkError;
            if (!entry->is_symlink(linkError)) {
                continue;
            }
            // Only a regular file: a link to /dev/null (a masked file) would report every
            // write to /dev/null on the machine. The link itself is the directory's entry.
            const auto target = std::filesystem::canonical(entry->path(), linkError);
            if (!linkError && isRegularFile(target)) {
                watchWithItsParents(target);
            }
        }
    }
}

void PathChangeWatch::watchWithItsParents(const std::filesystem::path& path) {
    std::filesystem::path directory = path.root_path();
    for (const auto& component : path.relative_path()) {
        const std::string name = component.string();
        if (!addWatch(directory, nameEvents, &name)) {
            return;
        }
        directory /= component;
        struct stat st {};
        if (::stat(directory.c_str(), &st) != 0) {
            // Not there (yet): its parent's watch sees it appear.
            return;
        }
    }
    if (onNetworkFileSystem(path)) {
        giveUp();
        return;
    }
    addWatch(path, entryEvents | selfEvents, nullptr);
}

bool PathChangeWatch::addWatch(const std::filesystem::path& path, std::uint32_t mask,
                               const std::string* name) {
    // IN_MASK_ADD: one inode may be on the way to several paths, and one of them.
    const int watch = ::inotify_add_watch(inotify_.get(), path.c_str(), mask | IN_MASK_ADD);
    if (watch < 0) {
        // Gone between the look and the watch, or not a directory: a watch above sees it.
        if (errno == ENOENT || errno == ENOTDIR) {
            return false;
        }
        giveUp();
        return false;
    }
    Interest& interest = interests_[watch];
    if (name == nullptr) {
        interest.everyEvent = true;
    } else {
        interest.names.insert(*name);
    }
    return true;
}

bool PathChangeWatch::drainSawChange() {
    bool changed = false;
    alignas(inotify_event) std::array<char, 4096> buffer;
    for (;;) {
        const ssize_t size = ::read(inotify_.get(), buffer.data(), buffer.size());
        if (size < 0 && errno == EINTR) {
            continue;
        }
        if (size <= 0) {
            // EAGAIN: nothing more. Any other error: the watch cannot be trusted any longer.
            return changed || (size < 0 && errno != EAGAIN);
        }
        for (ssize_t at = 0; at < size;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buffer.data() + at);
            at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
            if (event->mask & (IN_Q_OVERFLOW | IN_IGNORED | selfEvents)) {
                changed = true;
                continue;
            }
            const auto interest = interests_.find(event->wd);
            if (interest == interests_.end()) {
                continue;
            }
            changed = changed || interest->second.everyEvent ||
                      (event->len > 0 && interest->second.names.contains(event->name));
        }
    }
}

void PathChangeWatch::giveUp() {
    inotify_.reset();
    interests_.clear();
}

} // namespace kmodd

#include "TrustedFile.h"

#include "Error.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <fmt/format.h>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <system_error>

namespace kmodd {
namespace {

namespace fs = std::filesystem;

// The named parts of an absolute path, without its root directory and empty trailing parts.
std::vector<std::string> componentsOf(const fs::path& path) {
    std::vector<std::string> components;
    for (const auto& component : path.relative_path()) {
        if (!component.empty()) {
            components.push_back(component.string());
        }
    }
    return components;
}

bool hasDotDot(const fs::path& path) {
    for (const auto& component : path) {
        if (component == "..") {
            return true;
        }
    }
    return false;
}

// A root and the components of the file below it.
struct Placement {
    fs::path root;
    std::vector<std::string> below;
};

// The most specific root whose components are a prefix of the file's, compared whole so that
// /lib/modules-evil is not beneath /lib/modules.
std::optional<Placement> placeBeneathRoot(const std::vector<fs::path>& roots,
                                          const fs::path& normalFile) {
    const auto fileComponents = componentsOf(normalFile);
    std::optional<Placement> best;
    for (const auto& root : roots) {
        if (!root.is_absolute() || hasDotDot(root)) {
            continue;
        }
        const auto rootComponents = componentsOf(root.lexically_normal());
        if (rootComponents.size() >= fileComponents.size() ||
            !std::equal(rootComponents.begin(), rootComponents.end(), fileComponents.begin())) {
            continue;
        }
        std::vector<std::string> below(fileComponents.begin() +
                                           static_cast<std::ptrdiff_t>(rootComponents.size()),
                                       fileComponents.end());
        if (!best || below.size() < best->below.size()) {
            best = Placement{root, std::move(below)};
        }
    }
    return best;
}

std::string listOf(const std::vector<fs::path>& roots) {
    std::vector<std::string> texts(roots.size());
    std::transform(roots.begin(), roots.end(), texts.begin(),
                   [](const fs::path& root) { return root.string(); });
    return fmt::format("({})", fmt::join(texts, ", "));
}

std::string modeText(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

std::string typeName(mode_t mode) {
    switch (mode & S_IFMT) {
    case S_IFDIR:
        return "a directory";
    case S_IFLNK:
        return "a symbolic link";
    case S_IFIFO:
        return "a FIFO";
    case S_IFSOCK:
        return "a socket";
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    default:
        return "a regular file";
    }
}

// Walks one file's path from its trusted root, refusing with messages that name the file.
class TrustedWalk {
  public:
    explicit TrustedWalk(fs::path file) : file_(std::move(file)) {}

    [[noreturn]] void refuse(const std::string& reason) const {
        throw Error(ErrorKind::Untrusted, "refusing " + file_.string() + ": " + reason);
    }

    UniqueFd openRoot(const fs::path& root) const {
        // The root is the admin's choice and may be reached through a symlink (merged /usr).
        UniqueFd fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!fd) {
            failOpen(errno, "trusted path " + root.string());
        }
        checkOwnership(statOf(fd), "trusted path " + root.string());
        return fd;
    }

    UniqueFd openDirectory(int parent, const std::string& name, const fs::path& shown) const {
        UniqueFd fd = openAt(parent, name, O_PATH, shown.string());
        const struct stat st = statOf(fd);
        if (!S_ISDIR(st.st_mode)) {
            refuse(shown.string() + " is " + typeName(st.st_mode) + ", not a directory");
        }
        checkOwnership(st, "directory " + shown.string());
        return fd;
    }

    TrustedModuleFile openFile(int parent, const std::string& name) const {
        // Checked before it is opened for reading: opening a FIFO or a device can block or act.
        checkFile(statOf(openAt(parent, name, O_PATH, "the file")));
        UniqueFd fd = openAt(parent, name, O_RDONLY | O_NOCTTY | O_NONBLOCK, "the file");
        const struct stat st = statOf(fd);
        checkFile(st);
        // Back to ordinary blocking reads: O_NONBLOCK is the only status flag that was set.
        if (::fcntl(fd.get(), F_SETFL, 0) != 0) {
            fail(errno);
        }
        return {std::move(fd), static_cast<std::uint64_t>(st.st_size), identityOf(st)};
    }

  private:
    UniqueFd openAt(int parent, const std::string& name, int flags,
                    const std::string& shown) const {
        UniqueFd fd(::openat(parent, name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC));
        if (!fd) {
            failOpen(errno, shown);
        }
        return fd;
    }

    struct stat statOf(const UniqueFd& fd) const {
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) {
            fail(errno);
        }
        return st;
    }

    void checkFile(const struct stat& st) const {
        if (!S_ISREG(st.st_mode)) {
            refuse("the file is " + typeName(st.st_mode) + ", not a regular file");
        }
        checkOwnership(st, "the file");
    }

    void checkOwnership(const struct stat& st, const std::string& what) const {
        if (st.st_uid != 0) {
            refuse(what + " is owned by uid " + std::to_string(st.st_uid) + ", not root");
        }
        if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
            refuse(what + " is writable by group or others (mode " + modeText(st.st_mode) + ")");
        }
    }

    [[noreturn]] void failOpen(int error, const std::string& what) const {
        switch (error) {
        case ENOENT:
            throw Error(ErrorKind::NotFound, "module file " + file_.string() + " does not exist");
        case ELOOP:
            refuse(what + " is a symbolic link");
        case ENOTDIR:
            refuse(what + " is not a directory");
        default:
            fail(error);
        }
    }

    [[noreturn]] void fail(int error) const {
        throw Error(ErrorKind::Failed, "cannot open " + file_.string() + ": " +
                                           std::generic_category().message(error));
    }

    fs::path file_;
};

} // namespace

TrustedModuleFile openTrustedModule(const std::vector<fs::path>& trustedRoots,
                                    const fs::path& file) {
    const TrustedWalk walk(file);
    if (!file.is_absolute()) {
        walk.refuse("the path is not absolute");
    }
    if (hasDotDot(file)) {
        walk.refuse("the path contains '..'");
    }
    const auto placement = placeBeneathRoot(trustedRoots, file.lexically_normal());
    if (!placement) {
        walk.refuse("it is not beneath a trusted path " + listOf(trustedRoots));
    }

    UniqueFd directory = walk.openRoot(placement->root);
    fs::path shown = placement->root.lexically_normal();
    const auto& below = placement->below;
    for (std::size_t i = 0; i + 1 < below.size(); ++i) {
        shown /= below[i];
        directory = walk.openDirectory(directory.get(), below[i], shown);
    }
    return walk.openFile(directory.get(), below.back());
}

} // namespace kmodd

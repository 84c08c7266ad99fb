#include "TrustedConfigFiles.h"

#include "Error.h"
#include "UniqueFd.h"
#include "WholeFile.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <sys/stat.h>

namespace kmodd {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void refuse(const fs::path& path, const std::string& reason) {
    throw Error(ErrorKind::ConfigInvalid, path.string() + ": " + reason);
}

[[noreturn]] void refuseUnreadable(const fs::path& path, int errnum) {
    refuse(path, std::string("cannot be read: ") + std::strerror(errnum));
}

std::string octalMode(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

// StrictModes: whoever may write the file may widen the policy, so only root may.
void checkOwnerAndMode(const fs::path& path, const struct stat& status, const char* what) {
    if (status.st_uid != 0) {
        refuse(path, std::string("not trusted: the ") + what + " is owned by uid " +
                         std::to_string(status.st_uid) + ", not by root");
    }
    if ((status.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        refuse(path, std::string("not trusted: the ") + what + " is writable by " +
                         ((status.st_mode & S_IWOTH) != 0 ? "others" : "its group") + " (mode " +
                         octalMode(status.st_mode) + ")");
    }
}

// Opens path beneath directory (AT_FDCWD: as given) without following a symbolic link in its
// last component; nullopt when it does not exist.
std::optional<UniqueFd> openNoFollow(int directory, const fs::path& shown, const char* name,
                                     int flags) {
    // O_NONBLOCK so that a FIFO put in place of a file cannot hang the daemon.
    UniqueFd fd(::openat(directory, name, flags | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK));
    if (fd) {
        return fd;
    }
    if (errno == ENOENT) {
        return std::nullopt;
    }
    if (errno == ELOOP) {
        refuse(shown, "not trusted: it is a symbolic link");
    }
    refuseUnreadable(shown, errno);
}

std::string readRegularFile(const fs::path& shown, const UniqueFd& fd) {
    struct stat status {};
    if (::fstat(fd.get(), &status) != 0) {
        refuseUnreadable(shown, errno);
    }
    if (!S_ISREG(status.st_mode)) {
        refuse(shown, "cannot be read: not a regular file");
    }
    checkOwnerAndMode(shown, status, "file");
    auto text = readWholeFile<std::string>(fd.get());
    if (!text) {
        refuseUnreadable(shown, errno);
    }
    return std::move(*text);
}

struct DirectoryCloser {
    void operator()(DIR* directory) const { ::closedir(directory); }
};

// The names of the directory's `*.yaml` entries, sorted; the directory is checked first.
std::vector<std::string> dropInNames(const fs::path& shown, const UniqueFd& directory) {
    struct stat status {};
    if (::fstat(directory.get(), &status) != 0) {
        refuseUnreadable(shown, errno);
    }
    checkOwnerAndMode(shown, status, "directory");
    // fdopendir takes the descriptor it is given: it reads a duplicate, ours stays for openat.
    const int listed = ::fcntl(directory.get(), F_DUPFD_CLOEXEC, 0);
    if (listed < 0) {
        refuseUnreadable(shown, errno);
    }
    std::unique_ptr<DIR, DirectoryCloser> stream(::fdopendir(listed));
    if (!stream) {
        const int errnum = errno;
        ::close(listed);
        refuseUnreadable(shown, errnum);
    }
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(stream.get())) {
        if (const std::string name = entry->d_name; fs::path(name).extension() == ".yaml") {
            names.push_back(name);
        }
    }
    if (errno != 0) {
        refuseUnreadable(shown, errno);
    }
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace

std::vector<ConfigSource> readTrustedConfigFiles(const fs::path& mainFile,
                                                 const fs::path& dropInDirectory) {
    std::vector<ConfigSource> sources;
    if (const auto fd = openNoFollow(AT_FDCWD, mainFile, mainFile.c_str(), O_RDONLY)) {
        sources.push_back({mainFile.string(), readRegularFile(mainFile, *fd)});
    }
    const auto directory =
        openNoFollow(AT_FDCWD, dropInDirectory, dropInDirectory.c_str(), O_RDONLY | O_DIRECTORY);
    if (!directory) {
        return sources;
    }
    for (const std::string& name : dropInNames(dropInDirectory, *directory)) {
        const fs::path file = dropInDirectory / name;
        // Gone since the listing: as if it had never been there.
        if (const auto fd = openNoFollow(directory->get(), file, name.c_str(), O_RDONLY)) {
            sources.push_back({file.string(), readRegularFile(file, *fd)});
        }
    }
    return sources;
}

} // namespace kmodd

#pragma once

#include <cstdint>
#include <string>
#include <sys/stat.h>

namespace kmodd {

/// Which version of a file this is, as far as anything read from it goes: the same device,
/// inode, size and modification time mean the same contents (as make and ccache assume). The
/// change time too: a chmod or chown changes it, so that a file whose trust may have changed is
/// read (and checked) again.
struct FileIdentity {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t size = 0;
    std::int64_t mtimeSeconds = 0;
    std::int64_t mtimeNanoseconds = 0;
    std::int64_t ctimeSeconds = 0;
    std::int64_t ctimeNanoseconds = 0;

    bool operator==(const FileIdentity&) const = default;
    auto operator<=>(const FileIdentity&) const = default;
};

/// The identity of the file st describes.
inline FileIdentity identityOf(const struct stat& st) {
    return {
        static_cast<std::uint64_t>(st.st_dev),         static_cast<std::uint64_t>(st.st_ino),
        static_cast<std::uint64_t>(st.st_size),        static_cast<std::int64_t>(st.st_mtim.tv_sec),
        static_cast<std::int64_t>(st.st_mtim.tv_nsec), static_cast<std::int64_t>(st.st_ctim.tv_sec),
        static_cast<std::int64_t>(st.st_ctim.tv_nsec)};
}

} // namespace kmodd

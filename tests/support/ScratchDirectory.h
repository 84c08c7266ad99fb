#pragma once

#include <filesystem>
#include <string_view>

namespace kmodd::testing {

/// A fresh directory /tmp/kmodd-<purpose>-XXXXXX with mode 0755, owned by the caller, removed
/// with everything in it on destruction.
class ScratchDirectory {
  public:
    explicit ScratchDirectory(std::string_view purpose);
    ~ScratchDirectory();
    ScratchDirectory(const ScratchDirectory&) = delete;
    ScratchDirectory& operator=(const ScratchDirectory&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }
    /// <path>/relative, whether it exists or not.
    std::filesystem::path operator/(const std::filesystem::path& relative) const {
        return path_ / relative;
    }

    /// Creates <path>/relative and its missing parents, each with mode 0755 whatever the umask;
    /// returns its full path.
    std::filesystem::path createDirectories(const std::filesystem::path& relative) const;
    /// Writes contents to <path>/relative with the given mode, creating missing parent
    /// directories as createDirectories does; returns the file's full path.
    std::filesystem::path write(const std::filesystem::path& relative, std::string_view contents,
                                std::filesystem::perms mode = std::filesystem::perms(0644)) const;

  private:
    std::filesystem::path path_;
};

} // namespace kmodd::testing

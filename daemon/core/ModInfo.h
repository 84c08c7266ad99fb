#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kmodd {

/// The key=value strings of a module image's .modinfo ELF section, in file order.
class ModInfo {
  public:
    ModInfo() = default;
    /// The entries as another reader (libkmod) found them.
    explicit ModInfo(std::vector<std::pair<std::string, std::string>> entries)
        : entries_(std::move(entries)) {}

    /// Reads an uncompressed module image (ELF32 or ELF64, host byte order). Throws
    /// Error(KernelRejected) when the image is not a well-formed ELF relocatable object.
    static ModInfo read(std::span<const std::byte> image);
    /// The same for an uncompressed image in a file, read with pread: only the ELF header, the
    /// section headers and the two sections needed, not the whole file (a module directory on
    /// a network file system pays for every byte). Throws Error(Failed) when reading fails.
    static ModInfo readFile(int fd, std::uint64_t size);

    /// Every value stored under key, e.g. values("alias").
    std::vector<std::string> values(std::string_view key) const;
    /// The parameter names the module declares (its "parm" and "parmtype" entries), with '-'
    /// written as '_'.
    std::set<std::string> declaredParameters() const;
    /// The declared parameter types (its "parmtype" entries): name, with '-' written as '_',
    /// -> type, e.g. "int" or "array of charp".
    std::map<std::string, std::string> declaredParameterTypes() const;

    const std::vector<std::pair<std::string, std::string>>& entries() const noexcept {
        return entries_;
    }

  private:
    std::vector<std::pair<std::string, std::string>> entries_;
};

} // namespace kmodd

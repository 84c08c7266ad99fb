#pragma once

#include <cstddef>
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
    /// Reads an uncompressed module image (ELF32 or ELF64, host byte order). Throws
    /// Error(KernelRejected) when the image is not a well-formed ELF relocatable object.
    static ModInfo read(std::span<const std::byte> image);

    /// Every value stored under key, e.g. values("alias").
    std::vector<std::string> values(std::string_view key) const;
    /// The parameter names the module declares (its "parm" and "parmtype" entries), with '-'
    /// written as '_'.
    std::set<std::string> declaredParameters() const;

    const std::vector<std::pair<std::string, std::string>>& entries() const noexcept {
        return entries_;
    }

  private:
    std::vector<std::pair<std::string, std::string>> entries_;
};

} // namespace kmodd

#pragma once

#include "Underscores.h"

#include <compare>
#include <string>
#include <string_view>
#include <vector>

namespace kmodd {

/// A kernel module name in the kernel's canonical form: '-' written as '_', only
/// [A-Za-z0-9_], at most 55 characters (MODULE_NAME_LEN less the NUL).
class ModuleName {
  public:
    /// Canonicalises and validates; throws Error(InvalidArgument) quoting the bad name.
    static ModuleName parse(std::string_view raw);

    const std::string& str() const noexcept { return name_; }

    auto operator<=>(const ModuleName&) const = default;

  private:
    explicit ModuleName(std::string canonical) : name_(std::move(canonical)) {}
    std::string name_;
};

/// Checks a name as a client asked for it (a module name or an alias such as "fs-ext4" or
/// "pci:v00008086d*") before it reaches libkmod: 1 to 256 printable ASCII characters, no '/',
/// no whitespace, no quotes or backslashes. Throws Error(InvalidArgument) quoting it.
std::string validateRequestedName(std::string_view raw);

/// The names separated by ", ", for messages.
std::string joinNames(const std::vector<ModuleName>& names);

} // namespace kmodd

#pragma once

#include "Config.h"
#include "ModuleIndex.h"
#include "ModuleName.h"

namespace kmodd {

/// The allow/deny rules of a Config, applied to resolved module names.
class Policy {
  public:
    explicit Policy(const Config& config);

    /// True when name matches no deny pattern and (if an allow list exists) an allow pattern.
    bool allows(const ModuleName& name) const;

    /// Throws Error(NotAllowed) when the resolved module is not allowed, or when any module in
    /// its load order is denied (a dependency is allowed with its module, but deny always wins).
    /// The message names the module and, for a dependency, which module pulled it in.
    void checkLoad(const Resolution& resolution) const;

    /// Throws Error(NotAllowed) when name is not allowed.
    void checkUnload(const ModuleName& name) const;

  private:
    std::optional<std::vector<std::string>> allow_;
    std::vector<std::string> deny_;
};

/// fnmatch(3)-style glob match ('*', '?', '[...]') of a canonical module name.
bool globMatches(const std::string& pattern, const std::string& name);

/// True when pattern is a well-formed glob over module-name characters.
bool isValidGlob(const std::string& pattern);

/// pattern with '-' written as '_' outside brackets, as module names are; inside "[...]" a '-'
/// is a range ("[a-z]") and is kept.
std::string canonicalGlob(const std::string& pattern);

} // namespace kmodd

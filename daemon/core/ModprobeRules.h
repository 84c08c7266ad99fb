#pragma once

#include "ModuleName.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kmodd {

/// What the machine's module configuration (modprobe.d, the kernel command line) says about one
/// module, as libkmod reads it.
struct ModprobeRules {
    /// modprobe.d `options` and the kernel command line's MODULE.PARAM=, joined by libkmod in
    /// that order (later wins by name); "" when there are none.
    std::string options;
    std::optional<std::string> install; ///< the `install` command
    std::optional<std::string> remove;  ///< the `remove` command
    std::vector<ModuleName> pre;        ///< `softdep NAME pre:` and modules.softdep, in order
    std::vector<ModuleName> post;       ///< `softdep NAME post:`

    bool operator==(const ModprobeRules&) const = default;
};

/// kmodd runs no commands. Throws Error(NotAllowed) when rules has an install command (for a
/// load) or a remove command (for an unload): `install NAME /bin/false` or `/bin/true`, the
/// hardening idiom, as a module the machine disables; any other command as one kmodd refuses
/// to run. Each names where the rule is (see findRule), from configDirectories.
void checkNoCommand(const ModuleName& module, const ModprobeRules& rules, bool unloading,
                    const std::vector<std::filesystem::path>& configDirectories);

/// Where a modprobe.d rule `keyword module ...` is written: "FILE line N", searched as libkmod
/// reads configuration (each path a file or a directory of *.conf files, in lexical order), or
/// nullopt. libkmod does not tell where a rule came from, so this reads the files again.
std::optional<std::string> findRule(const std::vector<std::filesystem::path>& configDirectories,
                                    std::string_view keyword, const ModuleName& module);

} // namespace kmodd

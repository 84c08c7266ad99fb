#pragma once

#include "ModuleName.h"
#include "Parameters.h"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kmodd {

/// The daemon's configuration (SPEC "Config"), validated whole. Module names and glob patterns
/// are stored with '-' written as '_'.
struct Config {
    std::vector<std::filesystem::path> trustedPaths{"/lib/modules", "/usr/lib/modules"};
    std::optional<std::vector<std::string>> allow; ///< absent: any module is allowed
    std::vector<std::string> deny;
    std::map<ModuleName, ParameterList> defaultParameters;
    std::vector<std::string> boot; ///< requested names, as written

    bool operator==(const Config&) const = default;
};

/// Default locations of the main file and its drop-in directory (/etc/kmodd/... for the usual
/// prefix /usr; KMODD_SYSCONFDIR comes from the build).
inline const std::filesystem::path defaultConfigFile{KMODD_SYSCONFDIR "/kmodd/kmodd.yaml"};
inline const std::filesystem::path defaultDropInDirectory{KMODD_SYSCONFDIR "/kmodd/kmodd.yaml.d"};

/// Reads mainFile (a missing file is an empty one), then every `*.yaml` in dropInDirectory in
/// lexical order. A key set in a later file replaces the earlier value, except `modules`, which
/// merges per module and per parameter. Throws Error(ConfigInvalid) naming the file, line and
/// key for unknown keys, wrong types, bad globs, bad names, and naming the file for one that
/// cannot be read or is not trusted (readTrustedConfigFiles: owned by root, written by root
/// only).
Config loadConfig(const std::filesystem::path& mainFile = defaultConfigFile,
                  const std::filesystem::path& dropInDirectory = defaultDropInDirectory);

/// Applies one YAML document on top of base. fileName is used in error messages.
Config applyConfigText(Config base, const std::string& yamlText, const std::string& fileName);

} // namespace kmodd

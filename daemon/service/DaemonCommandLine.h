#pragma once

#include <filesystem>
#include <optional>
#include <spdlog/common.h>
#include <string>
#include <vector>

namespace kmodd {

/// How kmodd was asked to run.
struct DaemonOptions {
    std::optional<std::filesystem::path> moduleDirectory; ///< absent: /lib/modules/$(uname -r)
    std::filesystem::path configFile;
    std::filesystem::path dropInDirectory;
    /// Root's direct socket; absent: wire::defaultRootSocket() (none on another bus).
    std::optional<std::filesystem::path> rootSocket;
    bool loadBootModules = false;
    spdlog::level::level_enum logLevel = spdlog::level::info;
};

/// What the command line asks for: run with options, or only print help or the version.
struct CommandLine {
    enum class Action { Run, ShowHelp, ShowVersion };
    Action action = Action::Run;
    DaemonOptions options;
};

/// Parses kmodd's arguments (without argv[0]). Options take their value as the next argument
/// or after '='. --drop-in-directory defaults to the config file's name with ".d" appended.
/// Throws Error(InvalidArgument) naming the bad argument.
CommandLine parseCommandLine(const std::vector<std::string>& arguments);

/// The --help text.
std::string usageText();

/// /lib/modules/<release of the running kernel>.
std::filesystem::path defaultModuleDirectory();

} // namespace kmodd

#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kmodd {

/// One configuration file's text, as read from the descriptor that was checked.
struct ConfigSource {
    std::string file; ///< its path, for error messages
    std::string text;
};

/// Reads mainFile (skipped if it does not exist), then every `*.yaml` in dropInDirectory (none
/// if it does not exist) in lexical order. Like sshd's StrictModes, each file and the directory
/// must be a regular file / directory, not a symbolic link, owned by root and not writable by
/// group or others; each is checked on the descriptor its text is read from, so that nothing
/// can be swapped in between. Throws Error(ConfigInvalid) naming the file and the reason.
std::vector<ConfigSource> readTrustedConfigFiles(const std::filesystem::path& mainFile,
                                                 const std::filesystem::path& dropInDirectory);

} // namespace kmodd

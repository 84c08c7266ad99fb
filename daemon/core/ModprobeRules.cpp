#include "ModprobeRules.h"

#include "Error.h"
#include "ModuleName.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace kmodd {
namespace {

namespace fs = std::filesystem;

// The hardening idiom (CIS): a command that does nothing instead of loading the module.
bool disablesTheModule(std::string command) {
    command.erase(0, command.find_first_not_of(" \t"));
    command.erase(command.find_last_not_of(" \t") + 1);
    for (const char* idiom :
         {"/bin/false", "/bin/true", "/usr/bin/false", "/usr/bin/true", "false", "true"}) {
        if (command == idiom) {
            return true;
        }
    }
    return false;
}

std::vector<fs::path> configFilesIn(const fs::path& path) {
    std::error_code error;
    if (fs::is_regular_file(path, error)) {
        return {path};
    }
    std::vector<fs::path> files;
    for (fs::directory_iterator entry(path, error), end; !error && entry != end;
         entry.increment(error)) {
        if (entry->path().extension() == ".conf") {
            files.push_back(entry->path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

std::optional<std::string> findRule(const std::vector<fs::path>& configDirectories,
                                    std::string_view keyword, const ModuleName& module) {
    for (const auto& directory : configDirectories) {
        for (const auto& file : configFilesIn(directory)) {
            std::ifstream in(file);
            std::string line;
            for (unsigned number = 1; std::getline(in, line); ++number) {
                std::istringstream words(line);
                std::string first;
                std::string second;
                words >> first >> second;
                if (first == keyword && withUnderscores(second) == module.str()) {
                    return file.string() + " line " + std::to_string(number);
                }
            }
        }
    }
    return std::nullopt;
}

void checkNoCommand(const ModuleName& module, const ModprobeRules& rules, bool unloading,
                    const std::vector<fs::path>& configDirectories) {
    const auto& command = unloading ? rules.remove : rules.install;
    if (!command) {
        return;
    }
    const std::string keyword = unloading ? "remove" : "install";
    const auto where = findRule(configDirectories, keyword, module);
    const std::string rule = quoteForMessage(keyword + " " + module.str() + " " + *command, 128);
    const std::string place =
        where ? " in " + *where
              : " in the modprobe.d configuration (libkmod does not say which file)";
    const std::string verb = unloading ? "unload " : "load ";
    if (disablesTheModule(*command)) {
        throw Error(ErrorKind::NotAllowed,
                    "cannot " + verb + module.str() + ": " + rule + place + " disables it");
    }
    throw Error(ErrorKind::NotAllowed, "cannot " + verb + module.str() + ": " + rule + place +
                                           " asks to run a command, and kmodd runs no commands");
}

} // namespace kmodd

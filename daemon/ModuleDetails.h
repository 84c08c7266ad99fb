#pragma once

#include "Kernel.h"
#include "ModuleFacts.h"

#include <map>
#include <sdbus-c++/Types.h>
#include <string>
#include <string_view>
#include <vector>

namespace kmodd {

/// What the module directory says of a module: its file and that file's version and signer;
/// empty strings where it says nothing or where the file's facts have not been read.
struct FileFacts {
    std::string path;
    std::string version;
    std::string signer;

    bool operator==(const FileFacts&) const = default;
};

/// The file's path, and its version and signer from facts (none when facts is null).
FileFacts fileFactsOf(const std::filesystem::path& file, const ModuleFacts* facts);

/// "live", "coming" or "going".
std::string_view stateName(ModuleState state);

/// A module as org.kmodd.Module1 and GetModule describe it.
struct ModuleDetails {
    std::string name;
    std::string state; ///< live, coming, going; GetModule also says unloaded or builtin
    unsigned refCount = 0;
    std::vector<std::string> holders;
    std::map<std::string, std::string> parameters;
    FileFacts file;
};

/// The details as GetModule's dictionary, keyed by the Module1 property names.
std::map<std::string, sdbus::Variant> toProperties(const ModuleDetails& details);

/// The names as strings, for D-Bus.
std::vector<std::string> namesOf(const std::vector<ModuleName>& names);

} // namespace kmodd

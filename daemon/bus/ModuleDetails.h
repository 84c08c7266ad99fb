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

/// A module's parameters as Module1 publishes them: the values anyone could read in sysfs, and
/// the names of those only root may read (listed without their values).
struct PublishedParameters {
    std::map<std::string, std::string> values;
    std::vector<std::string> restricted;

    bool operator==(const PublishedParameters&) const = default;
};

PublishedParameters publishedParameters(const ModuleParameters& parameters);

/// A module as org.kmodd.Module1 and GetModule describe it.
struct ModuleDetails {
    std::string name;
    std::string state; ///< live, coming, going; GetModule also says unloaded or builtin
    unsigned refCount = 0;
    std::vector<std::string> holders;
    PublishedParameters parameters;
    FileFacts file;
};

/// The details as GetModule's dictionary, keyed by the Module1 property names.
std::map<std::string, sdbus::Variant> toProperties(const ModuleDetails& details);

/// The names as strings, for D-Bus.
std::vector<std::string> namesOf(const std::vector<ModuleName>& names);

} // namespace kmodd

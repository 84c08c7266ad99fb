#pragma once

#include "Kernel.h"
#include "ModuleIndex.h"

#include <map>
#include <sdbus-c++/Types.h>
#include <string>
#include <string_view>
#include <vector>

namespace kmodd {

/// What the module directory says of a module: its file and that file's version and signer;
/// empty strings where it says nothing.
struct FileFacts {
    std::string path;
    std::string version;
    std::string signer;

    bool operator==(const FileFacts&) const = default;
};

/// The facts of the file a resolution would load; empty for a built-in module.
FileFacts fileFactsOf(const ModuleIndex& index, const Resolution& resolution);

/// The facts of the file the module directory holds under exactly this name; empty when it
/// has none (an out-of-tree module, or a name that only matches as an alias of another).
FileFacts fileFactsOf(const ModuleIndex& index, const ModuleName& name);

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

#include "ModuleDetails.h"

#include "WireNames.h"

namespace kmodd {

FileFacts fileFactsOf(const std::filesystem::path& file, const ModuleFacts* facts) {
    if (!facts) {
        return {file.string(), {}, {}};
    }
    return {file.string(), facts->first("version"), facts->first("signer")};
}

std::string_view stateName(ModuleState state) {
    switch (state) {
    case ModuleState::Live:
        return wire::moduleState::live;
    case ModuleState::Coming:
        return wire::moduleState::coming;
    case ModuleState::Going:
        return wire::moduleState::going;
    }
    return wire::moduleState::live;
}

PublishedParameters publishedParameters(const ModuleParameters& parameters) {
    PublishedParameters published;
    for (const auto& [name, value] : parameters) {
        if (value) {
            published.values.emplace(name, *value);
        } else {
            published.restricted.push_back(name);
        }
    }
    return published;
}

std::map<std::string, sdbus::Variant> toProperties(const ModuleDetails& details) {
    return {
        {"Name", sdbus::Variant(details.name)},
        {"State", sdbus::Variant(details.state)},
        {"RefCount", sdbus::Variant(std::uint32_t{details.refCount})},
        {"Holders", sdbus::Variant(details.holders)},
        {"Parameters", sdbus::Variant(details.parameters.values)},
        {"RestrictedParameters", sdbus::Variant(details.parameters.restricted)},
        {"Path", sdbus::Variant(details.file.path)},
        {"Version", sdbus::Variant(details.file.version)},
        {"Signer", sdbus::Variant(details.file.signer)},
    };
}

std::vector<std::string> namesOf(const std::vector<ModuleName>& names) {
    std::vector<std::string> strings;
    strings.reserve(names.size());
    for (const auto& name : names) {
        strings.push_back(name.str());
    }
    return strings;
}

} // namespace kmodd

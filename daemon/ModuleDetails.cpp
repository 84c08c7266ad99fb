#include "ModuleDetails.h"

namespace kmodd {
namespace {

FileFacts factsOfFile(const ModuleIndex& index, const std::filesystem::path& path) {
    const ModuleMetadata metadata = index.metadata(path);
    return {path.string(), metadata.version, metadata.signer};
}

} // namespace

FileFacts fileFactsOf(const ModuleIndex& index, const Resolution& resolution) {
    if (resolution.builtin || resolution.loadOrder.empty()) {
        return {};
    }
    return factsOfFile(index, resolution.loadOrder.back().path);
}

FileFacts fileFactsOf(const ModuleIndex& index, const ModuleName& name) {
    const auto path = index.fileOf(name);
    return path ? factsOfFile(index, *path) : FileFacts{};
}

std::string_view stateName(ModuleState state) {
    switch (state) {
    case ModuleState::Live:
        return "live";
    case ModuleState::Coming:
        return "coming";
    case ModuleState::Going:
        return "going";
    }
    return "live";
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

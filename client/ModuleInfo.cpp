#include "ModuleInfo.h"

#include "WireNames.h"

namespace kmodctl {
namespace {

template <typename T> T valueOf(const PropertyMap& properties, const std::string& name) {
    auto found = properties.find(name);
    if (found == properties.end()) {
        return T{};
    }
    const T* value = std::get_if<T>(&found->second);
    return value ? *value : T{};
}

} // namespace

ModuleDetails detailsFromProperties(const PropertyMap& properties) {
    using Strings = std::vector<std::string>;
    using StringMap = std::map<std::string, std::string>;
    return ModuleDetails{
        .name = valueOf<std::string>(properties, "Name"),
        .state = valueOf<std::string>(properties, "State"),
        .refCount = valueOf<std::uint32_t>(properties, "RefCount"),
        .holders = valueOf<Strings>(properties, "Holders"),
        .parameters = valueOf<StringMap>(properties, "Parameters"),
        .path = valueOf<std::string>(properties, "Path"),
        .version = valueOf<std::string>(properties, "Version"),
        .signer = valueOf<std::string>(properties, "Signer"),
        .restrictedParameters = valueOf<Strings>(properties, "RestrictedParameters"),
    };
}

bool BootResult::succeeded() const {
    using namespace kmodd::wire::loadResult;
    return result == loaded || result == alreadyLoaded || result == builtin;
}

} // namespace kmodctl

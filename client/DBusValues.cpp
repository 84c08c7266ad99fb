#include "DBusValues.h"

#include <optional>

namespace kmodctl {
namespace {

std::optional<PropertyValue> toPropertyValue(const sdbus::Variant& variant) {
    using Strings = std::vector<std::string>;
    using StringMap = std::map<std::string, std::string>;
    if (variant.containsValueOfType<std::string>()) {
        return variant.get<std::string>();
    }
    if (variant.containsValueOfType<std::uint32_t>()) {
        return variant.get<std::uint32_t>();
    }
    if (variant.containsValueOfType<Strings>()) {
        return variant.get<Strings>();
    }
    if (variant.containsValueOfType<StringMap>()) {
        return variant.get<StringMap>();
    }
    return std::nullopt;
}

} // namespace

PropertyMap toPropertyMap(const std::map<std::string, sdbus::Variant>& variants) {
    PropertyMap properties;
    for (const auto& [name, variant] : variants) {
        if (auto value = toPropertyValue(variant)) {
            properties.emplace(name, std::move(*value));
        }
    }
    return properties;
}

} // namespace kmodctl

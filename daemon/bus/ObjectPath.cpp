#include "ObjectPath.h"

#include "WireNames.h"

namespace kmodd {

std::string escapeObjectPathElement(std::string_view text) {
    if (text.empty()) {
        return "_";
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string escaped;
    for (const char c : withUnderscores(text)) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9')) {
            escaped += c;
        } else {
            escaped += '_';
            escaped += hex[byte >> 4];
            escaped += hex[byte & 0xf];
        }
    }
    return escaped;
}

std::string moduleObjectPath(const ModuleName& name) {
    return std::string(wire::managerPath) + wire::modulePathInfix +
           escapeObjectPathElement(name.str());
}

} // namespace kmodd

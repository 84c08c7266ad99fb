#include "ModuleName.h"

#include "Error.h"

#include <algorithm>
#include <fmt/format.h>
#include <functional>

namespace kmodd {
namespace {

constexpr std::size_t maxModuleNameLength = 55; // MODULE_NAME_LEN (64 - sizeof(long)) - NUL
constexpr std::size_t maxRequestedNameLength = 256;

bool isNameCharacter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool isRequestCharacter(char c) {
    return c > ' ' && c < 0x7f && c != '/' && c != '"' && c != '\'' && c != '\\';
}

} // namespace

ModuleName ModuleName::parse(std::string_view raw) {
    std::string canonical = withUnderscores(raw);
    if (canonical.empty() || canonical.size() > maxModuleNameLength ||
        !std::all_of(canonical.begin(), canonical.end(), isNameCharacter)) {
        throw Error(ErrorKind::InvalidArgument,
                    quoteForMessage(raw) +
                        " is not a module name: use 1 to 55 letters, digits, '_' or '-'");
    }
    return ModuleName(std::move(canonical));
}

std::string validateRequestedName(std::string_view raw) {
    if (raw.empty() || raw.size() > maxRequestedNameLength ||
        !std::all_of(raw.begin(), raw.end(), isRequestCharacter)) {
        throw Error(ErrorKind::InvalidArgument,
                    quoteForMessage(raw) + " is not a module name or alias: use 1 to 256 printable "
                                           "characters without spaces, quotes, '\\' or '/'");
    }
    return std::string(raw);
}

std::string joinNames(const std::vector<ModuleName>& names) {
    std::vector<std::string> texts(names.size());
    std::transform(names.begin(), names.end(), texts.begin(), std::mem_fn(&ModuleName::str));
    return fmt::format("{}", fmt::join(texts, ", "));
}

} // namespace kmodd

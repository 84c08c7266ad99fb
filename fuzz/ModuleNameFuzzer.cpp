// Module names: ModuleName::parse, validateRequestedName and the object path element a name
// becomes on the bus.
#include "FuzzChecks.h"
#include "ModuleName.h"
#include "ObjectPath.h"

#include <algorithm>
#include <string>

using namespace kmodd;

namespace {

bool isModuleNameCharacter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool isRequestCharacter(char c) {
    return c > ' ' && c < 0x7f && c != '/' && c != '"' && c != '\'' && c != '\\';
}

void checkModuleName(std::string_view text) {
    const auto name =
        fuzz::parsedOrRefused(ErrorKind::InvalidArgument, [&] { return ModuleName::parse(text); });
    if (!name) {
        return;
    }
    const std::string& canonical = name->str();
    fuzz::require(!canonical.empty() && canonical.size() <= 55, "a module name has 1..55 bytes");
    fuzz::require(std::all_of(canonical.begin(), canonical.end(), isModuleNameCharacter),
                  "a module name is [A-Za-z0-9_]");
    fuzz::require(canonical.size() == text.size(), "parsing only writes '-' as '_'");
    fuzz::require(ModuleName::parse(canonical) == *name, "a parsed name parses to itself");
    fuzz::require(escapeObjectPathElement(canonical) == canonical,
                  "a module name is its own object path element");
}

void checkRequestedName(std::string_view text) {
    const auto requested = fuzz::parsedOrRefused(ErrorKind::InvalidArgument,
                                                 [&] { return validateRequestedName(text); });
    fuzz::require(!requested ||
                      (*requested == text && requested->size() <= 256 &&
                       std::all_of(requested->begin(), requested->end(), isRequestCharacter)),
                  "a requested name is kept, 1..256 bytes without '/', space, quote, backslash "
                  "or non-ASCII byte");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::textOf(data, size);
    checkModuleName(text);
    checkRequestedName(text);
    const std::string element = escapeObjectPathElement(text);
    fuzz::require(!element.empty() &&
                      std::all_of(element.begin(), element.end(), isModuleNameCharacter),
                  "an object path element is [A-Za-z0-9_]");
    return 0;
}

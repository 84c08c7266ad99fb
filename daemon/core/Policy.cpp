#include "Policy.h"

#include "Error.h"

#include <algorithm>
#include <fnmatch.h>

namespace kmodd {
namespace {

bool isNameCharacter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Parses "[!a-z_0]" starting at the '['; returns the index after the ']', or npos if malformed.
// Only name characters and ranges between them: no classes, no literal ']' or '-', which cannot
// match a canonical module name anyway.
std::size_t bracketEnd(const std::string& pattern, std::size_t open) {
    std::size_t i = open + 1;
    if (i < pattern.size() && pattern[i] == '!') {
        ++i;
    }
    const std::size_t first = i;
    while (i < pattern.size() && pattern[i] != ']') {
        if (!isNameCharacter(pattern[i])) {
            return std::string::npos;
        }
        if (i + 1 < pattern.size() && pattern[i + 1] == '-') {
            if (i + 2 >= pattern.size() || !isNameCharacter(pattern[i + 2]) ||
                pattern[i] > pattern[i + 2]) {
                return std::string::npos;
            }
            i += 2;
        }
        ++i;
    }
    if (i == first || i == pattern.size()) {
        return std::string::npos;
    }
    return i + 1;
}

const std::string* firstMatch(const std::vector<std::string>& patterns, const ModuleName& name) {
    auto match = std::find_if(patterns.begin(), patterns.end(), [&](const std::string& pattern) {
        return globMatches(pattern, name.str());
    });
    return match == patterns.end() ? nullptr : &*match;
}

void refuseUnlessAllowed(const std::optional<std::vector<std::string>>& allow,
                         const std::vector<std::string>& deny, const ModuleName& name) {
    if (const std::string* pattern = firstMatch(deny, name)) {
        throw Error(ErrorKind::NotAllowed,
                    name.str() + " is denied by the kmodd policy (deny: " + *pattern + ")");
    }
    if (allow && firstMatch(*allow, name) == nullptr) {
        throw Error(ErrorKind::NotAllowed, name.str() + " is not in the kmodd allow list");
    }
}

} // namespace

Policy::Policy(const Config& config) : allow_(config.allow), deny_(config.deny) {}

bool Policy::allows(const ModuleName& name) const {
    return firstMatch(deny_, name) == nullptr && (!allow_ || firstMatch(*allow_, name) != nullptr);
}

void Policy::checkLoad(const Resolution& resolution) const {
    refuseUnlessAllowed(allow_, deny_, resolution.name);
    for (const ModuleFile& dependency : resolution.loadOrder) {
        if (dependency.name != resolution.name && firstMatch(deny_, dependency.name) != nullptr) {
            throw Error(ErrorKind::NotAllowed,
                        dependency.name.str() + " is denied by the kmodd policy and is needed by " +
                            resolution.name.str());
        }
    }
}

void Policy::checkUnload(const ModuleName& name) const {
    refuseUnlessAllowed(allow_, deny_, name);
}

bool globMatches(const std::string& pattern, const std::string& name) {
    return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

bool isValidGlob(const std::string& pattern) {
    if (pattern.empty()) {
        return false;
    }
    for (std::size_t i = 0; i < pattern.size();) {
        const char c = pattern[i];
        if (c == '[') {
            i = bracketEnd(pattern, i);
            if (i == std::string::npos) {
                return false;
            }
        } else if (isNameCharacter(c) || c == '-' || c == '*' || c == '?') {
            ++i;
        } else {
            return false;
        }
    }
    return true;
}

std::string canonicalGlob(const std::string& pattern) {
    std::string canonical = pattern;
    bool inBracket = false;
    for (char& c : canonical) {
        if (c == '[') {
            inBracket = true;
        } else if (c == ']') {
            inBracket = false;
        } else if (c == '-' && !inBracket) {
            c = '_';
        }
    }
    return canonical;
}

} // namespace kmodd

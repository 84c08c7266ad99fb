#include "Parameters.h"

#include "Error.h"
#include "ModuleName.h"

#include <algorithm>
#include <fmt/format.h>
#include <iterator>

namespace kmodd {
namespace {

constexpr std::size_t maxNameLength = 64;
constexpr std::size_t maxValueLength = 1024;
constexpr std::size_t declaredNamesShown = 8;

bool isNameCharacter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

bool isValueCharacter(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte != 0x7f && c != '"';
}

// The kernel's isspace() (lib/ctype.c): besides ASCII whitespace, Latin-1 NBSP (0xa0) ends a
// parameter in next_arg(), so a UTF-8 value such as "à" (c3 a0) needs quotes as much as a space.
bool isKernelSpace(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte == ' ' || (byte >= '\t' && byte <= '\r') || byte == 0xa0;
}

void validate(const ModuleName& module, const Parameter& parameter) {
    const std::string& name = parameter.name;
    if (name.empty() || name.size() > maxNameLength ||
        !std::all_of(name.begin(), name.end(), isNameCharacter)) {
        throw Error(ErrorKind::InvalidArgument,
                    "parameter name " + quoteForMessage(name) + " for " + module.str() +
                        " is invalid: use 1 to 64 letters, digits, '_' or '-'");
    }
    if (!parameter.value) {
        return;
    }
    const std::string& value = *parameter.value;
    if (value.size() > maxValueLength) {
        throw Error(ErrorKind::InvalidArgument, "the value of parameter '" + name + "' for " +
                                                    module.str() + " is longer than 1024 bytes");
    }
    if (!std::all_of(value.begin(), value.end(), isValueCharacter)) {
        throw Error(ErrorKind::InvalidArgument,
                    "the value " + quoteForMessage(value) + " of parameter '" + name + "' for " +
                        module.str() + " contains a '\"' or a control character");
    }
}

// The kernel accepts these for every module (dynamic debug, asynchronous probing).
bool isGenericParameter(const std::string& name) {
    return name == "dyndbg" || name == "async_probe";
}

} // namespace

Parameter ParameterList::parseAssignment(const ModuleName& module, std::string_view text) {
    Parameter parameter;
    const auto equals = text.find('=');
    parameter.name = std::string(text.substr(0, equals));
    if (equals != std::string_view::npos) {
        parameter.value = std::string(text.substr(equals + 1));
    }
    validate(module, parameter);
    parameter.name = withUnderscores(parameter.name);
    return parameter;
}

ParameterList ParameterList::parseOptions(const ModuleName& module, std::string_view options) {
    ParameterList list;
    std::string word;
    bool quoted = false;
    const auto flush = [&] {
        if (!word.empty()) {
            list.set(module, parseAssignment(module, word));
            word.clear();
        }
    };
    for (const char c : options) {
        if (c == '"') {
            quoted = !quoted;
        } else if (isKernelSpace(c) && !quoted) {
            flush();
        } else {
            word += c;
        }
    }
    flush();
    return list;
}

void ParameterList::set(const ModuleName& module, Parameter parameter) {
    validate(module, parameter);
    parameter.name = withUnderscores(parameter.name);
    auto existing = std::find_if(items_.begin(), items_.end(), [&](const Parameter& item) {
        return item.name == parameter.name;
    });
    if (existing != items_.end()) {
        existing->value = std::move(parameter.value);
    } else {
        items_.push_back(std::move(parameter));
    }
}

ParameterList ParameterList::mergedWith(const ModuleName& module,
                                        const ParameterList& overrides) const {
    ParameterList merged = *this;
    for (const Parameter& parameter : overrides.items_) {
        merged.set(module, parameter);
    }
    return merged;
}

void ParameterList::checkDeclared(const ModuleName& module,
                                  const std::set<std::string>& declared) const {
    std::set<std::string> canonicalDeclared;
    for (const std::string& name : declared) {
        canonicalDeclared.insert(withUnderscores(name));
    }
    for (const Parameter& parameter : items_) {
        if (canonicalDeclared.contains(parameter.name) || isGenericParameter(parameter.name)) {
            continue;
        }
        const auto shownEnd = std::next(canonicalDeclared.begin(),
                                        std::min(canonicalDeclared.size(), declaredNamesShown));
        std::string known = fmt::format("{}", fmt::join(canonicalDeclared.begin(), shownEnd, ", "));
        if (canonicalDeclared.size() > declaredNamesShown) {
            known += ", ...";
        }
        throw Error(
            ErrorKind::InvalidParameter,
            module.str() + " does not declare a parameter '" + parameter.name + "' " +
                (known.empty() ? "(it declares no parameters)" : "(it declares: " + known + ")"));
    }
}

std::string ParameterList::kernelString() const {
    std::string result;
    for (const Parameter& parameter : items_) {
        if (!result.empty()) {
            result += ' ';
        }
        result += parameter.name;
        if (!parameter.value) {
            continue;
        }
        const std::string& value = *parameter.value;
        // next_arg() keeps spaces inside double quotes and strips the quotes; set() has refused
        // '"' in values, so a quoted value cannot close early and leak a second parameter.
        if (std::any_of(value.begin(), value.end(), isKernelSpace)) {
            result += "=\"" + value + "\"";
        } else {
            result += "=" + value;
        }
    }
    return result;
}

} // namespace kmodd

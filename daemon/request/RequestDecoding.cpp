#include "RequestDecoding.h"

#include "Error.h"
#include "RequestLimits.h"

#include <algorithm>
#include <cstdio>

namespace kmodd {
namespace {

std::string hex(std::uint64_t value) {
    char text[19];
    std::snprintf(text, sizeof text, "%#llx", static_cast<unsigned long long>(value));
    return text;
}

// ParameterList names the module in its errors, but a request may name an alias that is no
// module name ("pci:v00008086d*"): that one is shown with its other characters as '_'.
ModuleName nameForMessages(std::string_view requested) {
    try {
        return ModuleName::parse(requested);
    } catch (const Error&) {
        std::string shown(requested.substr(0, 55));
        std::replace_if(
            shown.begin(), shown.end(),
            [](char c) {
                return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '-');
            },
            '_');
        return ModuleName::parse(shown.empty() ? "_" : shown);
    }
}

} // namespace

RequestFlags decodeFlags(std::uint64_t flags, std::uint64_t accepted, std::string_view method) {
    if (const std::uint64_t unknown = flags & ~accepted; unknown != 0) {
        throw Error(ErrorKind::InvalidArgument, std::string(method) + " does not accept flags " +
                                                    hex(unknown) + " (it accepts " + hex(accepted) +
                                                    ")");
    }
    return {(flags & wire::flag::interactive) != 0,
            {(flags & wire::flag::forceVermagic) != 0, (flags & wire::flag::forceModversion) != 0},
            (flags & wire::flag::dryRun) != 0,
            (flags & wire::flag::keepDependencies) != 0};
}

void ParameterBounds::count(std::string_view name, std::string_view value) {
    // The sentences say "more than": what follows the parameter too many is never read.
    if (++parameters_ > requestLimit::parameters) {
        throw Error(ErrorKind::InvalidArgument,
                    "the request to load " + nameForMessages(requestedName_).str() +
                        " has more than " + std::to_string(requestLimit::parameters) +
                        " parameters; at most " + std::to_string(requestLimit::parameters) +
                        " are accepted");
    }
    text_ += name.size() + value.size();
    if (text_ > requestLimit::parameterText) {
        throw Error(ErrorKind::InvalidArgument,
                    "the parameters of the request to load " +
                        nameForMessages(requestedName_).str() + " are more than " +
                        std::to_string(requestLimit::parameterText) + " bytes long; at most " +
                        std::to_string(requestLimit::parameterText) + " bytes are accepted");
    }
}

void checkParameterBounds(std::string_view requestedName,
                          const std::map<std::string, std::string>& parameters) {
    ParameterBounds bounds(requestedName);
    for (const auto& [name, value] : parameters) {
        bounds.count(name, value);
    }
}

ParameterList decodeParameters(std::string_view requestedName,
                               const std::map<std::string, std::string>& parameters) {
    ParameterList list;
    if (parameters.empty()) {
        return list;
    }
    checkParameterBounds(requestedName, parameters);
    const ModuleName module = nameForMessages(requestedName);
    for (const auto& [name, value] : parameters) {
        list.set(module, {name, value.empty() ? std::nullopt : std::optional(value)});
    }
    return list;
}

RequestedName decodeRequestedName(std::string_view name) {
    RequestedName decoded{validateRequestedName(name), std::nullopt};
    try {
        decoded.module = ModuleName::parse(decoded.requested);
    } catch (const Error&) {
        // An alias such as "pci:v*": the caller resolves it.
    }
    return decoded;
}

} // namespace kmodd

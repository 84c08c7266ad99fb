// The argument decoding of every Manager1 method (daemon/request/RequestDecoding.h). The input's
// NUL-separated fields are the flags (hex), the name, then the a{ss} parameters as key, value;
// the bounds on their count and text (RequestLimits.h) are checked on every input.
#include "FuzzChecks.h"
#include "KernelArguments.h"
#include "RequestDecoding.h"
#include "RequestLimits.h"

#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <utility>

using namespace kmodd;

namespace {

struct Method {
    const char* name;
    std::uint64_t accepted;
};

constexpr Method methodsWithFlags[] = {{"Load", acceptedFlags::load},
                                       {"Unload", acceptedFlags::unload},
                                       {"Reload", acceptedFlags::reload},
                                       {"LoadBootModules", acceptedFlags::loadBootModules}};

// What decode returns, or nullopt when it refused the arguments with a clear InvalidArgument.
template <class Decode> auto decodedOrRefused(Decode&& decode) {
    return fuzz::parsedOrRefused(ErrorKind::InvalidArgument, std::forward<Decode>(decode));
}

void checkFlags(std::uint64_t flags) {
    for (const Method& method : methodsWithFlags) {
        const auto decoded =
            decodedOrRefused([&] { return decodeFlags(flags, method.accepted, method.name); });
        fuzz::require(decoded.has_value() == ((flags & ~method.accepted) == 0),
                      "a method takes exactly the bits it accepts");
        fuzz::require(!decoded ||
                          *decoded == RequestFlags{(flags & wire::flag::interactive) != 0,
                                                   {(flags & wire::flag::forceVermagic) != 0,
                                                    (flags & wire::flag::forceModversion) != 0},
                                                   (flags & wire::flag::dryRun) != 0,
                                                   (flags & wire::flag::keepDependencies) != 0},
                      "each accepted bit decodes to its flag");
    }
}

// GetModule's name; Load and Unload validate theirs the same way in the engine.
void checkName(std::string_view name) {
    const auto decoded = decodedOrRefused([&] { return decodeRequestedName(name); });
    if (!decoded) {
        return;
    }
    fuzz::require(decoded->requested == name, "a valid name is kept as it was asked for");
    fuzz::require(!decoded->module || decoded->module->str().size() == name.size(),
                  "a module name is the name with '-' written as '_'");
}

std::size_t textOf(const std::map<std::string, std::string>& parameters) {
    std::size_t text = 0;
    for (const auto& [key, value] : parameters) {
        text += key.size() + value.size();
    }
    return text;
}

void checkParameters(std::string_view name, const std::map<std::string, std::string>& parameters) {
    const bool withinBounds = parameters.size() <= requestLimit::parameters &&
                              textOf(parameters) <= requestLimit::parameterText;
    const bool bounded = decodedOrRefused([&] {
                             checkParameterBounds(name, parameters);
                             return true;
                         }).has_value();
    fuzz::require(bounded == withinBounds, "the bounds refuse exactly what exceeds them");
    const auto decoded = decodedOrRefused([&] { return decodeParameters(name, parameters); });
    fuzz::require(!decoded || withinBounds, "nothing beyond the bounds is decoded");
    if (!decoded) {
        return;
    }
    fuzz::require(decoded->items().size() <= parameters.size(), "no parameter is invented");
    for (const Parameter& item : decoded->items()) {
        fuzz::require(!item.value || !item.value->empty(), "an empty value is a flag");
    }
    fuzz::require(fuzz::splitLikeTheKernel(decoded->kernelString()) == decoded->items(),
                  "the kernel reads exactly the decoded parameters");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto fields = fuzz::fieldsOf(fuzz::textOf(data, size));
    std::uint64_t flags = 0;
    std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), flags, 16);
    const std::string_view name = fields.size() > 1 ? fields[1] : std::string_view();
    std::map<std::string, std::string> parameters;
    for (std::size_t i = 2; i < fields.size(); i += 2) {
        parameters[std::string(fields[i])] =
            i + 1 < fields.size() ? std::string(fields[i + 1]) : std::string();
    }
    checkFlags(flags);
    checkName(name);
    checkParameters(name, parameters);
    return 0;
}

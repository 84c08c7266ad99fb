#include "ProcModules.h"

#include "Error.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>

namespace kmodd {
namespace {

// The non-empty parts of text between separators.
std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    while (!text.empty()) {
        const auto end = text.find(separator);
        const auto part = text.substr(0, end);
        if (!part.empty()) {
            parts.push_back(part);
        }
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
    return parts;
}

template <typename Number> std::optional<Number> parseNumber(std::string_view text) {
    Number number{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return number;
}

std::optional<ModuleState> parseProcState(std::string_view text) {
    if (text == "Live") {
        return ModuleState::Live;
    }
    if (text == "Loading") {
        return ModuleState::Coming;
    }
    if (text == "Unloading") {
        return ModuleState::Going;
    }
    return std::nullopt;
}

// The modules named in "a,b," ("-" for none). "[permanent]" marks a module that cannot be
// unloaded; it names no holder.
std::vector<ModuleName> parseHolders(std::string_view text) {
    std::vector<ModuleName> holders;
    if (text == "-") {
        return holders;
    }
    for (const auto name : split(text, ',')) {
        if (name != "[permanent]") {
            holders.push_back(ModuleName::parse(name));
        }
    }
    return holders;
}

std::optional<LoadedModule> parseLine(std::string_view line) {
    const auto fields = split(line, ' ');
    if (fields.size() < 6 || fields.size() > 7) {
        return std::nullopt;
    }
    const auto size = parseNumber<std::uint64_t>(fields[1]);
    const auto refcount = parseRefcount(fields[2]);
    const auto state = parseProcState(fields[4]);
    const bool taintsWellFormed =
        fields.size() == 6 || (fields[6].starts_with('(') && fields[6].ends_with(')'));
    if (!size || (!refcount && fields[2] != "-") || !state || !taintsWellFormed) {
        return std::nullopt;
    }
    return LoadedModule{ModuleName::parse(fields[0]), *size, refcount, parseHolders(fields[3]),
                        *state};
}

} // namespace

std::vector<LoadedModule> parseProcModules(std::string_view text) {
    std::vector<LoadedModule> modules;
    for (const auto line : split(text, '\n')) {
        std::optional<LoadedModule> module;
        try {
            module = parseLine(line);
        } catch (const Error&) {
            // A bad module name: the line is malformed like any other.
        }
        if (!module) {
            throw Error(ErrorKind::Failed,
                        "/proc/modules has a malformed line: " + quoteForMessage(line, 120));
        }
        modules.push_back(std::move(*module));
    }
    return modules;
}

std::optional<unsigned> parseRefcount(std::string_view text) {
    const auto count = parseNumber<long long>(text);
    if (!count || *count > std::numeric_limits<unsigned>::max()) {
        return std::nullopt;
    }
    return *count < 0 ? 0U : static_cast<unsigned>(*count);
}

} // namespace kmodd

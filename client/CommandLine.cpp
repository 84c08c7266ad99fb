#include "CommandLine.h"

#include "Suggestions.h"
#include "WireNames.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace kmodctl {
namespace {

constexpr std::array<std::pair<std::string_view, Verb>, 8> commands{{
    {"list", Verb::List},
    {"load", Verb::Load},
    {"unload", Verb::Unload},
    {"status", Verb::Status},
    {"monitor", Verb::Monitor},
    {"reload", Verb::Reload},
    {"boot", Verb::Boot},
    {"help", Verb::Help},
}};

Verb verbNamed(std::string_view name) {
    std::vector<std::string> names;
    for (const auto& [commandName, verb] : commands) {
        if (commandName == name) {
            return verb;
        }
        names.emplace_back(commandName);
    }
    const std::string suggestion = didYouMean(closeNames(name, names));
    throw UsageError("unknown command '" + std::string(name) + "'" +
                     (suggestion.empty() ? "" : "; " + suggestion));
}

std::string inQuotes(std::string_view text) {
    return "'" + std::string(text) + "'";
}

void expectOperands(Verb verb, std::span<const std::string_view> operands, std::size_t count) {
    const std::string command = inQuotes(verbName(verb));
    if (operands.size() < count) {
        throw UsageError(command + " needs a module name");
    }
    if (operands.size() > count) {
        throw UsageError("unexpected argument " + inQuotes(operands[count]) + " for " + command);
    }
}

std::string canonicalParameterName(std::string name) {
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

std::map<std::string, std::string> parseParameters(std::span<const std::string_view> texts) {
    std::map<std::string, std::string> parameters;
    std::map<std::string, std::string> seen; // canonical name -> as typed
    for (std::string_view text : texts) {
        auto [name, value] = parseParameter(text);
        auto [earlier, isNew] = seen.try_emplace(canonicalParameterName(name), name);
        if (!isNew) {
            throw UsageError("parameter " + inQuotes(name) + " is given twice" +
                             (earlier->second == name ? ""
                                                      : " (as " + inQuotes(earlier->second) +
                                                            ", since '-' and '_' are the same)"));
        }
        parameters.emplace(std::move(name), std::move(value));
    }
    return parameters;
}

} // namespace

std::pair<std::string, std::string> parseParameter(std::string_view text) {
    const std::size_t equals = text.find('=');
    const std::string_view name = text.substr(0, equals);
    if (name.empty()) {
        throw UsageError("parameter " + inQuotes(text) + " has no name (expected PARAM=VALUE)");
    }
    const std::string_view value = equals == std::string_view::npos ? "" : text.substr(equals + 1);
    return {std::string(name), std::string(value)};
}

Invocation parseCommandLine(std::span<const std::string_view> arguments) {
    Invocation invocation;
    bool help = false;
    bool version = false;
    bool optionsEnded = false;
    std::vector<std::string_view> positional;
    for (std::string_view argument : arguments) {
        if (optionsEnded || argument.size() < 2 || argument.front() != '-') {
            positional.push_back(argument);
        } else if (argument == "--") {
            optionsEnded = true;
        } else if (argument == "--help" || argument == "-h") {
            help = true;
        } else if (argument == "--version") {
            version = true;
        } else if (argument == "--json") {
            invocation.json = true;
        } else if (argument == "--verbose") {
            invocation.verbose = true;
        } else if (argument == "--no-ask-password") {
            invocation.askPassword = false;
        } else if (argument == "--force-vermagic") {
            invocation.forceVermagic = true;
        } else if (argument == "--force-modversion") {
            invocation.forceModversion = true;
        } else if (argument == "--dry-run" || argument == "-n") {
            invocation.dryRun = true;
        } else if (argument == "--keep-dependencies") {
            invocation.keepDependencies = true;
        } else {
            throw UsageError("unknown option " + inQuotes(argument));
        }
    }

    const Verb verb = positional.empty() ? Verb::List : verbNamed(positional.front());
    const std::span<const std::string_view> operands =
        positional.empty() ? std::span<const std::string_view>{}
                           : std::span<const std::string_view>(positional).subspan(1);
    if (verb == Verb::Help) {
        if (operands.size() > 1) {
            throw UsageError("unexpected argument " + inQuotes(operands[1]) + " for 'help'");
        }
        invocation.verb = Verb::Help;
        if (!operands.empty()) {
            invocation.helpTopic = verbNamed(operands.front());
        }
        return invocation;
    }
    if (help) {
        invocation.verb = Verb::Help;
        if (!positional.empty()) {
            invocation.helpTopic = verb;
        }
        return invocation;
    }
    if (version) {
        invocation.verb = Verb::Version;
        return invocation;
    }

    invocation.verb = verb;
    if ((invocation.forceVermagic || invocation.forceModversion) && verb != Verb::Load) {
        throw UsageError(
            std::string(invocation.forceVermagic ? "--force-vermagic" : "--force-modversion") +
            " applies only to 'load'");
    }
    if (invocation.dryRun && verb != Verb::Load) {
        throw UsageError("--dry-run applies only to 'load'");
    }
    if (invocation.keepDependencies && verb != Verb::Unload) {
        throw UsageError("--keep-dependencies applies only to 'unload'");
    }
    switch (verb) {
    case Verb::Load:
        if (operands.empty()) {
            throw UsageError("'load' needs a module name");
        }
        invocation.module = operands.front();
        invocation.parameters = parseParameters(operands.subspan(1));
        break;
    case Verb::Unload:
    case Verb::Status:
        expectOperands(verb, operands, 1);
        invocation.module = operands.front();
        break;
    default:
        expectOperands(verb, operands, 0);
        break;
    }
    return invocation;
}

std::uint64_t callFlags(const Invocation& invocation) {
    std::uint64_t flags = invocation.askPassword ? kmodd::wire::flag::interactive : 0;
    if (invocation.forceVermagic) {
        flags |= kmodd::wire::flag::forceVermagic;
    }
    if (invocation.forceModversion) {
        flags |= kmodd::wire::flag::forceModversion;
    }
    if (invocation.dryRun) {
        flags |= kmodd::wire::flag::dryRun;
    }
    if (invocation.keepDependencies) {
        flags |= kmodd::wire::flag::keepDependencies;
    }
    return flags;
}

std::string_view verbName(Verb verb) {
    for (const auto& [name, commandVerb] : commands) {
        if (commandVerb == verb) {
            return name;
        }
    }
    return "--version"; // the one verb that is an option, not a command
}

} // namespace kmodctl

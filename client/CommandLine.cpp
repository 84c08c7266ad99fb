#include "CommandLine.h"

#include "Suggestions.h"
#include "Underscores.h"
#include "WireNames.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <initializer_list>
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

void expectOperands(Verb verb, std::span<const std::string> operands, std::size_t count) {
    const std::string command = inQuotes(verbName(verb));
    if (operands.size() < count) {
        throw UsageError(command + " needs a module name");
    }
    if (operands.size() > count) {
        throw UsageError("unexpected argument " + inQuotes(operands[count]) + " for " + command);
    }
}

std::map<std::string, std::string> parseParameters(std::span<const std::string> texts) {
    std::map<std::string, std::string> parameters;
    std::map<std::string, std::string> seen; // canonical name -> as typed
    for (const std::string& text : texts) {
        auto [name, value] = parseParameter(text);
        auto [earlier, isNew] = seen.try_emplace(kmodd::withUnderscores(name), name);
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
    std::vector<std::string> positional;
    CLI::App options;
    options.set_help_flag();
    options.allow_extras();
    for (auto [names, flag] : std::initializer_list<std::pair<const char*, bool*>>{
             {"-h,--help", &help},
             {"--version", &version},
             {"--json", &invocation.json},
             {"--verbose", &invocation.verbose},
             {"--force-vermagic", &invocation.forceVermagic},
             {"--force-modversion", &invocation.forceModversion},
             {"-n,--dry-run", &invocation.dryRun},
             {"--keep-dependencies", &invocation.keepDependencies},
         }) {
        options.add_flag(names, *flag)->disable_flag_override();
    }
    bool noAskPassword = false;
    options.add_flag("--no-ask-password", noAskPassword)->disable_flag_override();
    options.add_option("arguments", positional);

    // CLI11 would take "-5" as a number, "-nh" as two flags and "--json=1" as a value; kmodctl
    // knows each option by its exact name only, as before CLI11.
    for (std::string_view argument : arguments) {
        if (argument == "--") {
            break;
        }
        if (argument.size() >= 2 && argument.front() == '-' &&
            options.get_option_no_throw(std::string(argument)) == nullptr) {
            throw UsageError("unknown option " + inQuotes(argument));
        }
    }
    std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
    try {
        options.parse(reversed);
    } catch (const CLI::ParseError& error) {
        throw UsageError(error.what());
    }
    invocation.askPassword = !noAskPassword;

    const Verb verb = positional.empty() ? Verb::List : verbNamed(positional.front());
    const std::span<const std::string> operands =
        positional.empty() ? std::span<const std::string>{}
                           : std::span<const std::string>(positional).subspan(1);
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

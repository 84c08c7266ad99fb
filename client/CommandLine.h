#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace kmodctl {

/// The commands of kmodctl (SPEC "kmodctl"), plus the two that print text and exit.
enum class Verb { Help, Version, List, Load, Unload, Status, Monitor, Reload, Boot };

/// What the user asked for, read from the command line; nothing here has touched the bus.
struct Invocation {
    Verb verb = Verb::List;
    std::optional<Verb> helpTopic;                 ///< Help: the command asked about, if any
    std::string module;                            ///< Load, Unload, Status
    std::map<std::string, std::string> parameters; ///< Load: an empty value is a flag
    bool json = false;
    bool verbose = false;
    bool askPassword = true;
    bool forceVermagic = false;
    bool forceModversion = false;
    bool dryRun = false;           ///< Load
    bool keepDependencies = false; ///< Unload

    bool operator==(const Invocation&) const = default;
};

/// A command line kmodctl cannot act on; the message says what is wrong with it.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// Parses the arguments after argv[0]. Options may come before or after the command, "--" ends
/// them; no command means `list`. Throws UsageError.
Invocation parseCommandLine(std::span<const std::string_view> arguments);

/// Splits "PARAM=VALUE" (or "PARAM", a flag, sent with an empty value). Throws UsageError when
/// PARAM is empty.
std::pair<std::string, std::string> parseParameter(std::string_view text);

/// The `flags` argument for the invocation's method call.
std::uint64_t callFlags(const Invocation& invocation);

/// The command's name as typed, e.g. "load".
std::string_view verbName(Verb verb);

} // namespace kmodctl

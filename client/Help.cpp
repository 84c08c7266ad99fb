#include "Help.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace kmodctl {
namespace {

struct CommandHelp {
    Verb verb;
    std::string_view synopsis;
    std::string_view summary;
    std::string_view details;
    std::string_view options;
};

constexpr std::array<CommandHelp, 8> commandHelp{{
    {Verb::List, "list", "List the loaded modules (the default command)",
     "Lists the modules the kernel has loaded: name, state, reference count and the modules\n"
     "using each.\n",
     "  --json              Print a JSON array\n"},
    {Verb::Load, "load NAME [PARAM[=VALUE] ...]", "Load a module, its dependencies first",
     "Loads a module by name or alias, its dependencies first, with the soft dependencies\n"
     "modprobe.d names. Parameters in layers, later wins: modprobe.d options and the kernel\n"
     "command line, the configured defaults, PARAM=VALUE (PARAM alone passes it as a flag).\n"
     "Loading a module that is already loaded or built in succeeds.\n",
     "  -n, --dry-run       Print the plan (modules, files, parameters) and load nothing\n"
     "  --force-vermagic    Ignore the module's version magic\n"
     "  --force-modversion  Ignore the module's symbol versions\n"
     "  --verbose           Say what was done (loaded, already loaded, built in)\n"
     "  --json              Print the outcome as JSON\n"
     "  --no-ask-password   Fail instead of asking for a password\n"},
    {Verb::Unload, "unload NAME", "Unload a module",
     "Unloads a module, then what kmodd's load of it inserted and nothing uses now. A module\n"
     "in use (with holders or references) is refused.\n",
     "  --keep-dependencies Leave the modules its load inserted\n"
     "  --verbose           Say what was done\n"
     "  --json              Print the outcome as JSON\n"
     "  --no-ask-password   Fail instead of asking for a password\n"},
    {Verb::Status, "status NAME", "Show a module's state, parameters and file",
     "Shows the state, reference count, holders, parameters with their current values, file,\n"
     "version and signer of a module, loaded or not.\n",
     "  --json              Print a JSON object\n"},
    {Verb::Monitor, "monitor", "Print module changes as they happen",
     "Prints one line per change: a module loaded, unloaded, or a property changed. Runs until\n"
     "interrupted (SIGINT or SIGTERM).\n",
     "  --json              Print one JSON object per line\n"},
    {Verb::Reload, "reload", "Make kmodd re-read its configuration",
     "Makes kmodd re-read /etc/kmodd/kmodd.yaml and its drop-ins. A configuration with an error\n"
     "is refused and the one in force stays.\n",
     "  --verbose           Say what was done\n"
     "  --no-ask-password   Fail instead of asking for a password\n"},
    {Verb::Boot, "boot", "Load the configuration's boot modules",
     "Loads the modules of the configuration's boot list, as kmodd-boot.service does once per\n"
     "boot, printing one line per module. Fails if any of them fails.\n",
     "  --json              Print a JSON array\n"
     "  --no-ask-password   Fail instead of asking for a password\n"},
    {Verb::Help, "help [COMMAND]", "Show this help, or a command's", "", ""},
}};

constexpr std::string_view exitStatus =
    "Exit status: 0 success, 1 failure, 2 usage error, 3 not allowed, 4 no such module.\n";

std::string overview() {
    std::string text = "Usage: kmodctl [OPTIONS] COMMAND ...\n\n"
                       "Load and unload kernel modules through the kmodd service.\n\n"
                       "Commands:\n";
    for (const CommandHelp& command : commandHelp) {
        std::string line = "  " + std::string(command.synopsis);
        line.resize(std::max<std::size_t>(line.size() + 2, 34), ' ');
        text += line + std::string(command.summary) + "\n";
    }
    return text +
           "\nOptions:\n"
           "  --json              Print JSON\n"
           "  --verbose           Say what load, unload and reload did\n"
           "  --no-ask-password   Fail instead of asking for a password\n"
           "  --force-vermagic    load: ignore the module's version magic\n"
           "  --force-modversion  load: ignore the module's symbol versions\n"
           "  -n, --dry-run       load: print the plan, load nothing\n"
           "  --keep-dependencies unload: leave what the module's load inserted\n"
           "  -h, --help          Show this help, or a command's with COMMAND --help\n"
           "  --version           Show the version\n\n" +
           std::string(exitStatus) + "See kmodctl(1).\n";
}

} // namespace

std::string helpText(std::optional<Verb> topic) {
    if (!topic || *topic == Verb::Help) {
        return overview();
    }
    for (const CommandHelp& command : commandHelp) {
        if (command.verb == *topic) {
            return "Usage: kmodctl [OPTIONS] " + std::string(command.synopsis) + "\n\n" +
                   std::string(command.details) + "\nOptions:\n" + std::string(command.options) +
                   "  -h, --help          Show this help\n\n" + std::string(exitStatus);
        }
    }
    return overview();
}

std::string versionText() {
    return "kmodctl " KMODD_VERSION "\n";
}

} // namespace kmodctl

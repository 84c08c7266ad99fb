#include "DaemonCommandLine.h"

#include "Config.h"
#include "Error.h"

#include <array>
#include <sys/utsname.h>

namespace kmodd {
namespace {

constexpr std::array logLevels{"trace", "debug", "info", "warning", "error", "critical", "off"};

spdlog::level::level_enum parseLogLevel(const std::string& text) {
    for (std::size_t level = 0; level < logLevels.size(); ++level) {
        if (text == logLevels[level]) {
            return static_cast<spdlog::level::level_enum>(level);
        }
    }
    throw Error(ErrorKind::InvalidArgument,
                "unknown log level '" + text +
                    "': use trace, debug, info, warning, error, critical or off");
}

// Splits "--name=value" and takes "--name value"'s value from the next argument.
class ArgumentReader {
  public:
    explicit ArgumentReader(const std::vector<std::string>& arguments) : arguments_(arguments) {}

    bool next() {
        if (position_ == arguments_.size()) {
            return false;
        }
        const std::string& argument = arguments_[position_++];
        const auto equals = argument.find('=');
        if (argument.starts_with("--") && equals != std::string::npos) {
            name_ = argument.substr(0, equals);
            inlineValue_ = argument.substr(equals + 1);
        } else {
            name_ = argument;
            inlineValue_.reset();
        }
        return true;
    }

    const std::string& name() const { return name_; }

    std::string value() {
        if (inlineValue_) {
            return *inlineValue_;
        }
        if (position_ == arguments_.size()) {
            throw Error(ErrorKind::InvalidArgument, "option " + name_ + " needs a value");
        }
        return arguments_[position_++];
    }

    void noValue() const {
        if (inlineValue_) {
            throw Error(ErrorKind::InvalidArgument, "option " + name_ + " takes no value");
        }
    }

  private:
    const std::vector<std::string>& arguments_;
    std::size_t position_ = 0;
    std::string name_;
    std::optional<std::string> inlineValue_;
};

} // namespace

CommandLine parseCommandLine(const std::vector<std::string>& arguments) {
    CommandLine commandLine;
    DaemonOptions& options = commandLine.options;
    options.configFile = defaultConfigFile;
    std::optional<std::filesystem::path> dropInDirectory;
    ArgumentReader reader(arguments);
    while (reader.next()) {
        const std::string& name = reader.name();
        if (name == "--module-directory") {
            options.moduleDirectory = reader.value();
        } else if (name == "--config") {
            options.configFile = reader.value();
        } else if (name == "--drop-in-directory") {
            dropInDirectory = reader.value();
        } else if (name == "--root-socket") {
            options.rootSocket = reader.value();
        } else if (name == "--load-boot-modules") {
            reader.noValue();
            options.loadBootModules = true;
        } else if (name == "--log-level") {
            options.logLevel = parseLogLevel(reader.value());
        } else if (name == "--help" || name == "-h") {
            reader.noValue();
            commandLine.action = CommandLine::Action::ShowHelp;
        } else if (name == "--version") {
            reader.noValue();
            commandLine.action = CommandLine::Action::ShowVersion;
        } else {
            throw Error(ErrorKind::InvalidArgument, "unknown argument '" + name + "'");
        }
    }
    options.dropInDirectory = dropInDirectory.value_or(options.configFile.string() + ".d");
    return commandLine;
}

std::string usageText() {
    return "Usage: kmodd [OPTION...]\n"
           "Loads and unloads kernel modules for clients of the D-Bus system bus.\n"
           "\n"
           "  --module-directory DIR   resolve module names in DIR\n"
           "                           (default /lib/modules/$(uname -r))\n"
           "  --config FILE            the configuration (default /etc/kmodd/kmodd.yaml)\n"
           "  --drop-in-directory DIR  configuration drop-ins (default FILE.d)\n"
           "  --root-socket PATH       serve root without the bus at PATH\n"
           "                           (default /run/kmodd/private, on the standard\n"
           "                           system bus only)\n"
           "  --load-boot-modules      load the configuration's boot list once running\n"
           "  --log-level LEVEL        trace, debug, info (default), warning, error,\n"
           "                           critical or off\n"
           "  --version                print the version and exit\n"
           "  --help                   print this help and exit\n";
}

std::filesystem::path defaultModuleDirectory() {
    struct utsname system {};
    ::uname(&system);
    return std::filesystem::path("/lib/modules") / system.release;
}

} // namespace kmodd

// kmodctl: the command-line client of kmodd (SPEC "kmodctl").
#include "CommandLine.h"
#include "Commands.h"
#include "ExitStatus.h"
#include "Help.h"
#include "Monitor.h"

#include <iostream>
#include <sdbus-c++/sdbus-c++.h>
#include <vector>

namespace {

using namespace kmodctl;

ExitStatus run(const Invocation& invocation) {
    switch (invocation.verb) {
    case Verb::Help:
        std::cout << helpText(invocation.helpTopic);
        return exitSuccess;
    case Verb::Version:
        std::cout << versionText();
        return exitSuccess;
    default:
        break;
    }
    std::unique_ptr<sdbus::IConnection> connection;
    try {
        connection = sdbus::createSystemBusConnection();
    } catch (const sdbus::Error& error) {
        throw std::runtime_error("cannot connect to the system bus: " + error.getMessage());
    }
    if (invocation.verb == Verb::Monitor) {
        return runMonitor(*connection, invocation.json);
    }
    return runCommand(invocation, *connection);
}

} // namespace

int main(int argc, char* argv[]) {
    const std::vector<std::string_view> arguments(argv + 1, argv + argc);
    try {
        const ExitStatus status = run(parseCommandLine(arguments));
        if (!std::cout.flush()) {
            std::cerr << "kmodctl: cannot write to standard output\n";
            return exitFailure;
        }
        return status;
    } catch (const UsageError& error) {
        std::cerr << "kmodctl: " << error.what() << " (see 'kmodctl --help')\n";
        return exitUsage;
    } catch (const sdbus::Error& error) {
        std::cerr << "kmodctl: " << describeError(error.getName(), error.getMessage()) << "\n";
        return exitStatusForError(error.getName());
    } catch (const std::exception& error) {
        std::cerr << "kmodctl: " << error.what() << "\n";
        return exitFailure;
    }
}

// kmodctl: the command-line client of kmodd (SPEC "kmodctl").
#include "Colour.h"
#include "CommandLine.h"
#include "Commands.h"
#include "ExitStatus.h"
#include "Help.h"
#include "Monitor.h"
#include "Output.h"

#include <iostream>
#include <sdbus-c++/sdbus-c++.h>
#include <unistd.h>
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
    bool json = false;
    auto report = [&json](std::string_view message) {
        std::cerr << formatError(message, wantsColour(STDERR_FILENO, json));
    };
    try {
        const Invocation invocation = parseCommandLine(arguments);
        json = invocation.json;
        const ExitStatus status = run(invocation);
        if (!std::cout.flush()) {
            report("cannot write to standard output");
            return exitFailure;
        }
        return status;
    } catch (const UsageError& error) {
        report(std::string(error.what()) + " (see 'kmodctl --help')");
        return exitUsage;
    } catch (const sdbus::Error& error) {
        report(describeError(error.getName(), error.getMessage()));
        return exitStatusForError(error.getName());
    } catch (const std::exception& error) {
        report(error.what());
        return exitFailure;
    }
}

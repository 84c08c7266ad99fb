// kmodctl: the command-line client of kmodd (SPEC "kmodctl").
#include "Colour.h"
#include "CommandLine.h"
#include "Commands.h"
#include "ExitStatus.h"
#include "Help.h"
#include "Monitor.h"
#include "Output.h"
#include "Print.h"
#include "SystemBus.h"

#include <unistd.h>
#include <vector>

namespace {

using namespace kmodctl;

ExitStatus run(const Invocation& invocation) {
    switch (invocation.verb) {
    case Verb::Help:
        print(stdout, helpText(invocation.helpTopic));
        return exitSuccess;
    case Verb::Version:
        print(stdout, versionText());
        return exitSuccess;
    default:
        break;
    }
    if (invocation.verb == Verb::Monitor) {
        SystemBus bus(SystemBus::Route::Bus);
        return runMonitor(bus, invocation.json);
    }
    SystemBus bus(SystemBus::Route::RootSocketFirst);
    return runCommand(invocation, bus);
}

} // namespace

int main(int argc, char* argv[]) {
    const std::vector<std::string_view> arguments(argv + 1, argv + argc);
    bool json = false;
    auto report = [&json](std::string_view message) {
        print(stderr, formatError(message, wantsColour(STDERR_FILENO, json)));
    };
    try {
        const Invocation invocation = parseCommandLine(arguments);
        json = invocation.json;
        const ExitStatus status = run(invocation);
        if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
            report("cannot write to standard output");
            return exitFailure;
        }
        return status;
    } catch (const UsageError& error) {
        report(std::string(error.what()) + " (see 'kmodctl --help')");
        return exitUsage;
    } catch (const BusError& error) {
        report(describeError(error.name(), error.message()));
        return exitStatusForError(error.name());
    } catch (const std::exception& error) {
        report(error.what());
        return exitFailure;
    }
}

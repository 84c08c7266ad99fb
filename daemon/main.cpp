#include "Daemon.h"
#include "DaemonCommandLine.h"
#include "Error.h"
#include "KernelFactory.h"
#include "Logging.h"

#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
    kmodd::CommandLine commandLine;
    try {
        commandLine = kmodd::parseCommandLine({argv + 1, argv + argc});
    } catch (const kmodd::Error& error) {
        std::cerr << "kmodd: " << error.what() << "\nTry 'kmodd --help'.\n";
        return 2;
    }
    switch (commandLine.action) {
    case kmodd::CommandLine::Action::ShowHelp:
        std::cout << kmodd::usageText();
        return EXIT_SUCCESS;
    case kmodd::CommandLine::Action::ShowVersion:
        std::cout << "kmodd " << KMODD_VERSION << "\n";
        return EXIT_SUCCESS;
    case kmodd::CommandLine::Action::Run:
        break;
    }

    const auto logger = kmodd::makeLogger(commandLine.options.logLevel);
    try {
        kmodd::Daemon::blockSignals();
        const auto kernel = makeKernel();
        kmodd::Daemon daemon(commandLine.options, *kernel, logger);
        const int status = daemon.run();
        if (daemon.leftKernelOperationRunning()) {
            // A thread is blocked in the kernel: destroying what it uses would be a crash the
            // moment the kernel returns, so the process ends here, everything answered.
            logger->flush();
            std::_Exit(status);
        }
        return status;
    } catch (const std::exception& error) {
        logger->error("{}", error.what());
        return EXIT_FAILURE;
    }
}

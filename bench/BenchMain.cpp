// kmodd-bench: kmodd on the fake kernel under load, next to the bus's own ceiling in the same
// run. bench/run-host.sh builds and runs it; BENCHMARKS.md explains the figures.

#include "BenchOptions.h"
#include "BenchService.h"
#include "Measurements.h"
#include "Report.h"

#include <cstdlib>
#include <iostream>
#include <unistd.h>

int main(int argc, char** argv) {
    using namespace kmodd::bench;
    BenchOptions options;
    options.programs = {KMODD_TEST_DAEMON, KMODD_BENCH_ECHO, KMODD_SOURCE_DIR};
    try {
        const std::vector<std::string> arguments(argv + 1, argv + argc);
        if (arguments.size() == 1 && arguments.front() == "--help") {
            std::cout << benchUsage();
            return EXIT_SUCCESS;
        }
        options = parseBenchOptions(arguments, options);
    } catch (const std::invalid_argument& error) {
        std::cerr << "kmodd-bench: " << error.what() << "\n" << benchUsage();
        return 2;
    }
    // The module tree must be root's to be trusted, and the bus lets only root own kmodd's name.
    if (::geteuid() != 0) {
        std::cerr << "kmodd-bench: run as root (it starts kmodd on a private bus)\n";
        return EXIT_FAILURE;
    }
    try {
        BenchService service(options.programs, options.preloadedModules);
        if (!options.profileMethod.empty()) {
            const auto sample = profileMethod(service, options);
            std::cout << options.profileMethod << ": " << sample.requestsPerSecond
                      << " req/s, kmodd CPU " << sample.answererCpuMicros << " µs/call\n";
            return EXIT_SUCCESS;
        }
        BenchResults results;
        results.startToReady = measureStartToReady(service, options);
        results.memory = measureMemory(service, options);
        auto daemon = service.startDaemon();
        results.throughput = measureThroughput(service, daemon.process->pid(), options);
        service.stopDaemon(daemon);
        std::cout << formatReport(results, options);
    } catch (const std::exception& error) {
        std::cerr << "kmodd-bench: " << error.what() << "\n";
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

#pragma once

#include "BenchService.h"

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace kmodd::bench {

/// What kmodd-bench measures and how much.
struct BenchOptions {
    std::vector<std::size_t> clients{1, 8, 64};
    std::size_t requests = 20'000;        ///< per method, client count and round
    std::size_t warmup = 1'000;           ///< unmeasured calls before each measured phase
    std::size_t rounds = 3;               ///< each round measures every method once
    std::size_t memoryRequests = 100'000; ///< between two memory readings
    std::size_t readyRuns = 20;
    std::size_t preloadedModules = 100;
    std::chrono::seconds phaseTimeLimit{60};
    BenchPrograms programs;
    /// When set, only this kmodd method is called (requests calls from the first client count),
    /// for a profiler given as daemonPrefix.
    std::string profileMethod;
};

/// Parses --name=value arguments; defaults come from options. Throws std::invalid_argument
/// naming the bad argument.
BenchOptions parseBenchOptions(const std::vector<std::string>& arguments, BenchOptions options);

/// The --help text.
std::string benchUsage();

} // namespace kmodd::bench

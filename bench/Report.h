#pragma once

#include "BenchOptions.h"
#include "Measurements.h"

#include <chrono>
#include <string>
#include <vector>

namespace kmodd::bench {

/// Everything one kmodd-bench run measured.
struct BenchResults {
    ThroughputResults throughput;
    MemoryResults memory;
    std::vector<std::chrono::nanoseconds> startToReady;
};

/// Markdown: the SPEC targets next to the figures, then the tables they come from. Every figure
/// over rounds is the median with the range of the rounds beside it.
std::string formatReport(const BenchResults& results, const BenchOptions& options);

} // namespace kmodd::bench

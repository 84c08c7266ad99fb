#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

namespace kmodd::bench {

/// Percentiles of a set of request latencies.
struct LatencySummary {
    std::chrono::nanoseconds p50{};
    std::chrono::nanoseconds p99{};
    std::chrono::nanoseconds max{};
};

/// The latencies of one phase's requests, in the order they completed.
class Latencies {
  public:
    void reserve(std::size_t count) { samples_.reserve(count); }
    void add(std::chrono::nanoseconds latency) { samples_.push_back(latency); }

    /// Nearest-rank percentiles; all zero when there are no samples.
    LatencySummary summary() const;

  private:
    std::vector<std::chrono::nanoseconds> samples_;
};

} // namespace kmodd::bench

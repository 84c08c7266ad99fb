#include "Latencies.h"

#include <algorithm>
#include <cmath>

namespace kmodd::bench {

LatencySummary Latencies::summary() const {
    if (samples_.empty()) {
        return {};
    }
    auto sorted = samples_;
    std::sort(sorted.begin(), sorted.end());
    const auto rank = [&](double fraction) {
        const auto index =
            static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
        return sorted[std::clamp<std::size_t>(index, 1, sorted.size()) - 1];
    };
    return {rank(0.50), rank(0.99), sorted.back()};
}

} // namespace kmodd::bench

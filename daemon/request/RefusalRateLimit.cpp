#include "RefusalRateLimit.h"

namespace kmodd {
namespace {

// Beyond this many uids in the map, quiet ones are forgotten before a new one is added.
constexpr std::size_t uidsKept = 1024;

} // namespace

RefusalRateLimit::Verdict RefusalRateLimit::admit(uid_t uid, Clock::time_point now) {
    if (windows_.size() >= uidsKept && !windows_.contains(uid)) {
        forgetQuietUids(now);
    }
    auto [found, isNew] = windows_.try_emplace(uid, Window{now});
    Window& window = found->second;
    Verdict verdict;
    if (!isNew && now - window.start >= interval_) {
        verdict.suppressed = window.suppressed;
        window = Window{now};
    }
    if (window.logged < burst_) {
        ++window.logged;
        verdict.log = true;
    } else {
        ++window.suppressed;
    }
    return verdict;
}

void RefusalRateLimit::forgetQuietUids(Clock::time_point now) {
    std::erase_if(windows_, [&](const auto& entry) {
        return entry.second.suppressed == 0 && now - entry.second.start >= interval_;
    });
}

} // namespace kmodd

#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <sys/types.h>

namespace kmodd {

/// How many refusals of one uid are journaled: at most `burst` per `interval`, as journald's
/// RateLimitBurst does per service, so that a flooding caller cannot drown the journal or
/// anyone else's records. Each uid has its own budget: root's refusals are never suppressed by
/// another user's flood. Loop thread only.
class RefusalRateLimit {
  public:
    using Clock = std::chrono::steady_clock;

    static constexpr std::size_t defaultBurst = 20;
    static constexpr std::chrono::seconds defaultInterval{10};

    /// What to do with one refusal.
    struct Verdict {
        bool log = false;             ///< journal this refusal
        std::uint64_t suppressed = 0; ///< refusals of this uid dropped before it: summarise them
    };

    explicit RefusalRateLimit(std::size_t burst = defaultBurst,
                              Clock::duration interval = defaultInterval)
        : burst_(burst), interval_(interval) {}

    /// Counts a refusal of uid at now.
    Verdict admit(uid_t uid, Clock::time_point now);

  private:
    struct Window {
        Clock::time_point start;
        std::size_t logged = 0;
        std::uint64_t suppressed = 0;
    };

    /// Forgets uids whose window ended with nothing suppressed, so the map stays as small as
    /// the set of uids refused lately.
    void forgetQuietUids(Clock::time_point now);

    std::size_t burst_;
    Clock::duration interval_;
    std::map<uid_t, Window> windows_;
};

} // namespace kmodd

#pragma once

#include "Authority.h"

#include <cstddef>
#include <deque>
#include <string>

namespace kmodd::testing {

/// An Authority that answers only when a test tells it to, and remembers what it was asked.
class FakeAuthority final : public Authority {
  public:
    /// One check, as RequestHandler asked it.
    struct Check {
        Caller caller;
        Action action;
        std::string module;
        bool interactive;
    };

    void check(const Caller& caller, Action action, const std::string& module, bool interactive,
               Answer answer) override;
    void cancelAll() override;

    /// Answers the oldest pending check.
    void answerNext(const AuthorityAnswer& answer);

    /// Checks asked so far, answered or not.
    std::size_t asked() const { return asked_; }
    std::size_t pending() const { return pending_.size(); }
    /// The oldest pending check.
    const Check& next() const;

  private:
    struct Pending {
        Check check;
        Answer answer;
    };

    std::deque<Pending> pending_;
    std::size_t asked_ = 0;
};

} // namespace kmodd::testing

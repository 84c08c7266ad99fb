#include "FakeAuthority.h"

#include <stdexcept>

namespace kmodd::testing {

void FakeAuthority::check(const Caller& caller, Action action, const std::string& module,
                          bool interactive, Answer answer) {
    ++asked_;
    pending_.push_back({{caller, action, module, interactive}, std::move(answer)});
}

void FakeAuthority::cancelAll() {
    while (!pending_.empty()) {
        answerNext({AuthorityAnswer::Verdict::Cancelled, "the fake authority was cancelled"});
    }
}

void FakeAuthority::answerNext(const AuthorityAnswer& answer) {
    if (pending_.empty()) {
        throw std::logic_error("no check is pending");
    }
    Pending next = std::move(pending_.front());
    pending_.pop_front();
    next.answer(answer);
}

const FakeAuthority::Check& FakeAuthority::next() const {
    if (pending_.empty()) {
        throw std::logic_error("no check is pending");
    }
    return pending_.front().check;
}

} // namespace kmodd::testing

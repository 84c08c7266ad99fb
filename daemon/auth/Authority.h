#pragma once

#include "Authorization.h"
#include "Caller.h"
#include "Error.h"

#include <functional>
#include <optional>
#include <string>

namespace kmodd {

/// What the authority said of one check.
struct AuthorityAnswer {
    enum class Verdict {
        Allowed,
        Denied,      ///< it refused the caller
        Unreachable, ///< it could not be asked, or gave no answer in time
        Cancelled,   ///< kmodd stopped before it answered
    };
    Verdict verdict = Verdict::Denied;
    std::string reason{}; ///< one sentence naming what was asked, for all but Allowed
};

/// The refusal an answer means: nullopt for Allowed, Error(NotAuthorized) when the authority
/// refused or could not be asked (never an allow), Error(Busy) when kmodd stopped first.
std::optional<Error> refusalOf(const AuthorityAnswer& answer);

/// Who decides whether a caller may do what it asks: polkit (PolkitAuthority), a fake in tests.
/// It is asked only what needs asking; RequestHandler decides what never does (root, a request
/// that changes nothing, a dry run) and how many checks may wait at once. Loop thread only.
class Authority {
  public:
    using Answer = std::function<void(const AuthorityAnswer&)>;

    virtual ~Authority() = default;

    /// Asks whether caller may perform action on module (empty for reload-config), letting the
    /// authority ask for a password when interactive. Calls answer exactly once, on the loop's
    /// thread: later, or before it returns when the authority cannot be asked.
    virtual void check(const Caller& caller, Action action, const std::string& module,
                       bool interactive, Answer answer) = 0;

    /// Answers every pending check Cancelled (at shutdown).
    virtual void cancelAll() = 0;
};

} // namespace kmodd

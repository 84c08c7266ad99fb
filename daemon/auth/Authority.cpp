#include "Authority.h"

namespace kmodd {

std::optional<Error> refusalOf(const AuthorityAnswer& answer) {
    switch (answer.verdict) {
    case AuthorityAnswer::Verdict::Allowed:
        return std::nullopt;
    case AuthorityAnswer::Verdict::Cancelled:
        return Error(ErrorKind::Busy, answer.reason);
    case AuthorityAnswer::Verdict::Denied:
    case AuthorityAnswer::Verdict::Unreachable:
        break;
    }
    return Error(ErrorKind::NotAuthorized, answer.reason);
}

} // namespace kmodd

#include "Error.h"

namespace kmodd {

std::string_view errorName(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::InvalidArgument:
        return "InvalidArgument";
    case ErrorKind::NotFound:
        return "NotFound";
    case ErrorKind::NotAllowed:
        return "NotAllowed";
    case ErrorKind::NotAuthorized:
        return "NotAuthorized";
    case ErrorKind::Untrusted:
        return "Untrusted";
    case ErrorKind::InvalidParameter:
        return "InvalidParameter";
    case ErrorKind::InUse:
        return "InUse";
    case ErrorKind::KernelRejected:
        return "KernelRejected";
    case ErrorKind::Busy:
        return "Busy";
    case ErrorKind::ConfigInvalid:
        return "ConfigInvalid";
    case ErrorKind::Failed:
        return "Failed";
    }
    return "Failed";
}

std::string quoteForMessage(std::string_view text, std::size_t maxLength) {
    std::string shown;
    for (const char c : text.substr(0, maxLength)) {
        shown += (c >= ' ' && c < 0x7f) ? c : '?';
    }
    return "'" + shown + (text.size() > maxLength ? "...'" : "'");
}

} // namespace kmodd

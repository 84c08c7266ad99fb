#include "Error.h"

#include "WireNames.h"

namespace kmodd {

std::string_view errorName(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::InvalidArgument:
        return wire::error::invalidArgument;
    case ErrorKind::NotFound:
        return wire::error::notFound;
    case ErrorKind::NotAllowed:
        return wire::error::notAllowed;
    case ErrorKind::NotAuthorized:
        return wire::error::notAuthorized;
    case ErrorKind::Untrusted:
        return wire::error::untrusted;
    case ErrorKind::InvalidParameter:
        return wire::error::invalidParameter;
    case ErrorKind::InUse:
        return wire::error::inUse;
    case ErrorKind::KernelRejected:
        return wire::error::kernelRejected;
    case ErrorKind::Busy:
        return wire::error::busy;
    case ErrorKind::ConfigInvalid:
        return wire::error::configInvalid;
    case ErrorKind::Failed:
        return wire::error::failed;
    }
    return wire::error::failed;
}

std::string quoteForMessage(std::string_view text, std::size_t maxLength) {
    std::string shown;
    for (const char c : text.substr(0, maxLength)) {
        shown += (c >= ' ' && c < 0x7f) ? c : '?';
    }
    return "'" + shown + (text.size() > maxLength ? "...'" : "'");
}

} // namespace kmodd

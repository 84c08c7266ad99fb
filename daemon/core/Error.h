#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace kmodd {

/// What went wrong, in terms a caller can act on. Each kind is the D-Bus error
/// wire::error::prefix + errorName(kind).
enum class ErrorKind {
    InvalidArgument,  ///< malformed request: bad module name, bad parameter syntax
    NotFound,         ///< no such module, or (for unload) not loaded
    NotAllowed,       ///< the configured policy (allow/deny) refuses the module
    NotAuthorized,    ///< polkit refused the caller
    Untrusted,        ///< the module file failed a trust rule
    InvalidParameter, ///< a parameter the module does not declare, or a value the kernel refused
    InUse,            ///< the module has holders or references
    KernelRejected,   ///< the kernel refused the module (format, signature, hardware, disabled)
    Busy,             ///< too many requests queued, or the kernel is busy with the module
    ConfigInvalid,    ///< the configuration could not be loaded
    Failed,           ///< anything else: I/O errors, out of memory
};

/// The short name of an error kind, e.g. "NotAllowed".
std::string_view errorName(ErrorKind kind);

/// Untrusted text (a name, a value, a line of a file) in single quotes for an error message:
/// bytes outside printable ASCII shown as '?', cut after maxLength characters with "...".
std::string quoteForMessage(std::string_view text, std::size_t maxLength = 64);

/// The error every part of kmodd throws: a kind plus one sentence naming the module and reason.
class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}

    ErrorKind kind() const noexcept { return kind_; }

  private:
    ErrorKind kind_;
};

} // namespace kmodd

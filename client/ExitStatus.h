#pragma once

#include <string>
#include <string_view>

namespace kmodctl {

/// kmodctl's exit statuses (SPEC "kmodctl").
enum ExitStatus : int {
    exitSuccess = 0,
    exitFailure = 1,    ///< the operation failed, or kmodd could not be reached
    exitUsage = 2,      ///< a bad command line, or a name or parameter kmodd calls invalid
    exitNotAllowed = 3, ///< the kmodd policy or polkit refused
    exitNotFound = 4,   ///< no such module
};

/// The exit status for a failed call's D-Bus error name: org.kmodd.Error.NotAllowed and
/// NotAuthorized (and the bus's AccessDenied) → 3, NotFound → 4, InvalidArgument → 2,
/// anything else → 1.
ExitStatus exitStatusForError(std::string_view errorName);

/// The one line to print for a failed call: kmodd's own sentence for its errors (it names the
/// module and the reason); for the bus's errors, a sentence saying kmodd is not running, could
/// not be started or did not answer.
std::string describeError(std::string_view errorName, std::string_view message);

} // namespace kmodctl

#include "ExitStatus.h"

#include "WireNames.h"

#include <algorithm>
#include <initializer_list>

namespace kmodctl {
namespace {

constexpr std::string_view kmoddPrefix = kmodd::wire::error::prefix;
constexpr std::string_view busPrefix = "org.freedesktop.DBus.Error.";

bool isOneOf(std::string_view name, std::string_view prefix,
             std::initializer_list<std::string_view> suffixes) {
    return name.starts_with(prefix) && std::find(suffixes.begin(), suffixes.end(),
                                                 name.substr(prefix.size())) != suffixes.end();
}

} // namespace

ExitStatus exitStatusForError(std::string_view errorName) {
    if (isOneOf(errorName, kmoddPrefix,
                {kmodd::wire::error::notAllowed, kmodd::wire::error::notAuthorized}) ||
        isOneOf(errorName, busPrefix, {"AccessDenied"})) {
        return exitNotAllowed;
    }
    if (isOneOf(errorName, kmoddPrefix, {kmodd::wire::error::notFound})) {
        return exitNotFound;
    }
    if (isOneOf(errorName, kmoddPrefix, {kmodd::wire::error::invalidArgument})) {
        return exitUsage;
    }
    return exitFailure;
}

std::string describeError(std::string_view errorName, std::string_view message) {
    if (isOneOf(errorName, busPrefix, {"ServiceUnknown", "NameHasNoOwner"})) {
        return std::string("kmodd is not running: nothing owns ") + kmodd::wire::busName +
               " on the system bus";
    }
    if (errorName.starts_with(std::string(busPrefix) + "Spawn.")) {
        return "kmodd could not be started: " + std::string(message);
    }
    if (isOneOf(errorName, busPrefix, {"NoReply", "Timeout", "TimedOut"})) {
        return "kmodd did not answer in time";
    }
    return std::string(message.empty() ? errorName : message);
}

} // namespace kmodctl

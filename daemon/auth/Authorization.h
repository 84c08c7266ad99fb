#pragma once

#include "Error.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace kmodd {

/// The polkit actions, one per verb (polkit/org.kmodd.policy).
enum class Action { LoadModule, UnloadModule, ReloadConfig };

/// wire::action::loadModule, unloadModule or reloadConfig.
std::string_view actionId(Action action);

/// Root is allowed without asking polkit, as systemd's own services do.
inline bool skipsPolkit(uid_t uid) {
    return uid == 0;
}

/// The (bba{ss}) polkit's CheckAuthorization returns.
struct PolkitAnswer {
    bool authorized = false;
    bool challenge = false; ///< authentication would help, but the check was not interactive
    std::map<std::string, std::string> details;
};

/// nullopt when polkit allowed the action on module (empty for reload-config); otherwise
/// Error(NotAuthorized) saying why. interactive: the caller allowed a password prompt.
std::optional<Error> polkitDecision(Action action, std::string_view module, bool interactive,
                                    const PolkitAnswer& answer);

/// The refusal when polkit gave no answer: a D-Bus error (polkitd not running, timeout) or an
/// error of polkit's own. Never an allow.
Error polkitFailure(Action action, std::string_view module, std::string_view errorName,
                    std::string_view errorMessage);

} // namespace kmodd

#include "Authorization.h"

#include "WireNames.h"

namespace kmodd {
namespace {

// "load dummy", "reload the kmodd configuration"
std::string whatIsAsked(Action action, std::string_view module) {
    switch (action) {
    case Action::LoadModule:
        return "load " + std::string(module);
    case Action::UnloadModule:
        return "unload " + std::string(module);
    case Action::ReloadConfig:
        return "reload the kmodd configuration";
    }
    return "change the kernel's modules";
}

} // namespace

std::string_view actionId(Action action) {
    switch (action) {
    case Action::LoadModule:
        return wire::action::loadModule;
    case Action::UnloadModule:
        return wire::action::unloadModule;
    case Action::ReloadConfig:
        return wire::action::reloadConfig;
    }
    return "";
}

std::optional<Error> polkitDecision(Action action, std::string_view module, bool interactive,
                                    const PolkitAnswer& answer) {
    if (answer.authorized) {
        return std::nullopt;
    }
    const std::string asked = whatIsAsked(action, module);
    const std::string policy = " (polkit action " + std::string(actionId(action)) + ")";
    if (const auto dismissed = answer.details.find("polkit.dismissed");
        dismissed != answer.details.end() && dismissed->second == "true") {
        return Error(ErrorKind::NotAuthorized,
                     "authentication to " + asked + " was dismissed" + policy);
    }
    if (answer.challenge) {
        // An interactive check that still ends in a challenge found no agent to ask the user.
        return Error(ErrorKind::NotAuthorized,
                     "authentication is required to " + asked + policy +
                         (interactive ? ", and no polkit authentication agent could ask for it"
                                      : ", and the request did not allow interactive "
                                        "authentication"));
    }
    return Error(ErrorKind::NotAuthorized, "not authorized to " + asked + policy);
}

Error polkitFailure(Action action, std::string_view module, std::string_view errorName,
                    std::string_view errorMessage) {
    const std::string reason = std::string(errorName) + ": " + std::string(errorMessage);
    const std::string asked = whatIsAsked(action, module);
    if (errorName.starts_with("org.freedesktop.PolicyKit1.Error.")) {
        return Error(ErrorKind::NotAuthorized, "polkit could not check whether the caller may " +
                                                   asked + " (" + reason + ")");
    }
    return Error(ErrorKind::NotAuthorized,
                 "polkit is not available (" + reason + "), so only root may " + asked);
}

} // namespace kmodd

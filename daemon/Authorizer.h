#pragma once

#include "Authorization.h"
#include "Caller.h"
#include "MainThreadDispatcher.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sdbus-c++/IConnection.h>
#include <spdlog/logger.h>
#include <string>

namespace kmodd {

class PolkitCall;

/// Asks polkit whether a caller may perform an action, without blocking the loop: root is
/// allowed at once; anyone else gets an asynchronous CheckAuthorization with the caller's
/// system-bus-name subject (never a pid), the action, the detail `module`, and
/// AllowUserInteraction when the request is interactive. No answer means refused. At most
/// requestLimit::pendingAuthorizations checks wait for polkit at once; beyond, Error(Busy).
class Authorizer {
  public:
    /// nullopt: allowed; else the Error(NotAuthorized) (or Busy: too many checks pending, or
    /// shutdown) to answer with.
    using Decision = std::function<void(const std::optional<Error>&)>;

    static constexpr std::chrono::seconds checkTimeout{25};
    static constexpr std::chrono::minutes interactiveCheckTimeout{5}; ///< time to type a password

    Authorizer(sdbus::IConnection& connection, MainThreadDispatcher& dispatcher,
               std::shared_ptr<spdlog::logger> logger);
    ~Authorizer();
    Authorizer(const Authorizer&) = delete;
    Authorizer& operator=(const Authorizer&) = delete;

    /// Decides and calls done exactly once: at once for root or when polkit cannot be asked,
    /// else from the loop when polkit answers. module is empty for reload-config.
    void check(const Caller& caller, Action action, const std::string& module, bool interactive,
               Decision done);

    /// Answers every pending check with Error(Busy) and cancels its polkit call (at shutdown).
    void cancelAll();

  private:
    struct Pending {
        std::unique_ptr<PolkitCall> call;
        Decision done;
    };

    void finish(std::uint64_t id, const std::optional<Error>& decision);

    sdbus::IConnection& connection_;
    MainThreadDispatcher& dispatcher_;
    std::shared_ptr<spdlog::logger> logger_;
    std::map<std::uint64_t, Pending> pending_;
    std::uint64_t nextId_ = 0;
};

} // namespace kmodd

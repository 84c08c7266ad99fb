#pragma once

#include "Authority.h"
#include "MainThreadDispatcher.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <sdbus-c++/IConnection.h>
#include <spdlog/logger.h>
#include <string>

namespace kmodd {

class PolkitCall;

/// The Authority that asks polkit, without blocking the loop: an asynchronous
/// CheckAuthorization with the caller's system-bus-name subject (never a pid), the action, the
/// detail `module`, and AllowUserInteraction when the request is interactive. A D-Bus error or
/// no answer in time is Unreachable: never an allow.
class PolkitAuthority final : public Authority {
  public:
    static constexpr std::chrono::seconds checkTimeout{25};
    static constexpr std::chrono::minutes interactiveCheckTimeout{5}; ///< time to type a password

    PolkitAuthority(sdbus::IConnection& connection, MainThreadDispatcher& dispatcher,
                    std::shared_ptr<spdlog::logger> logger);
    ~PolkitAuthority() override;
    PolkitAuthority(const PolkitAuthority&) = delete;
    PolkitAuthority& operator=(const PolkitAuthority&) = delete;

    void check(const Caller& caller, Action action, const std::string& module, bool interactive,
               Answer answer) override;

    /// Also cancels each pending polkit call.
    void cancelAll() override;

  private:
    struct Pending {
        std::unique_ptr<PolkitCall> call;
        Answer answer;
    };

    void finish(std::uint64_t id, const AuthorityAnswer& answer);

    sdbus::IConnection& connection_;
    MainThreadDispatcher& dispatcher_;
    std::shared_ptr<spdlog::logger> logger_;
    std::map<std::uint64_t, Pending> pending_;
    std::uint64_t nextId_ = 0;
};

} // namespace kmodd

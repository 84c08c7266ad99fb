#include "PolkitAuthority.h"

#include "WireNames.h"

#include <org.freedesktop.PolicyKit1.Authority_proxy.h>
#include <sdbus-c++/sdbus-c++.h>

namespace kmodd {

/// One CheckAuthorization in flight. A proxy per call, because the generated proxy reports
/// every reply through one virtual function without saying which call it answers; destroying
/// the proxy cancels the call.
class PolkitCall final
    : public sdbus::ProxyInterfaces<org::freedesktop::PolicyKit1::Authority_proxy> {
  public:
    using Reply = std::function<void(const PolkitAnswer*, const sdbus::Error*)>;

    PolkitCall(sdbus::IConnection& connection, Reply reply)
        : ProxyInterfaces(connection, "org.freedesktop.PolicyKit1",
                          "/org/freedesktop/PolicyKit1/Authority"),
          reply_(std::move(reply)) {
        registerProxy();
    }
    ~PolkitCall() { unregisterProxy(); }

  private:
    void onCheckAuthorizationReply(
        const sdbus::Struct<bool, bool, std::map<std::string, std::string>>& result,
        const sdbus::Error* error) override {
        if (error != nullptr) {
            reply_(nullptr, error);
            return;
        }
        const PolkitAnswer answer{result.get<0>(), result.get<1>(), result.get<2>()};
        reply_(&answer, nullptr);
    }

    Reply reply_;
};

namespace {

constexpr std::uint32_t allowUserInteraction = 0x1;

// The generated call has no timeout argument, and sd-bus gives a call the connection's default
// timeout when it is sent: so the default is changed for the duration of the send.
class ScopedMethodCallTimeout {
  public:
    ScopedMethodCallTimeout(sdbus::IConnection& connection, std::chrono::microseconds timeout)
        : connection_(connection), previous_(connection.getMethodCallTimeout()) {
        connection_.setMethodCallTimeout(timeout);
    }
    ~ScopedMethodCallTimeout() { connection_.setMethodCallTimeout(previous_); }
    ScopedMethodCallTimeout(const ScopedMethodCallTimeout&) = delete;
    ScopedMethodCallTimeout& operator=(const ScopedMethodCallTimeout&) = delete;

  private:
    sdbus::IConnection& connection_;
    std::uint64_t previous_;
};

// What polkit answered, or the D-Bus error in its place.
AuthorityAnswer answerOf(Action action, const std::string& module, bool interactive,
                         const PolkitAnswer* answer, const sdbus::Error* error) {
    if (!answer) {
        return {AuthorityAnswer::Verdict::Unreachable,
                polkitFailure(action, module, error->getName(), error->getMessage()).what()};
    }
    if (const auto refusal = polkitDecision(action, module, interactive, *answer)) {
        return {AuthorityAnswer::Verdict::Denied, refusal->what()};
    }
    return {AuthorityAnswer::Verdict::Allowed};
}

} // namespace

PolkitAuthority::PolkitAuthority(sdbus::IConnection& connection, MainThreadDispatcher& dispatcher,
                                 std::shared_ptr<spdlog::logger> logger)
    : connection_(connection), dispatcher_(dispatcher), logger_(std::move(logger)) {}

PolkitAuthority::~PolkitAuthority() = default;

void PolkitAuthority::check(const Caller& caller, Action action, const std::string& module,
                            bool interactive, Answer answer) {
    const std::uint64_t id = nextId_++;
    auto onReply = [this, id, action, module, interactive](const PolkitAnswer* polkit,
                                                           const sdbus::Error* error) {
        const AuthorityAnswer decision = answerOf(action, module, interactive, polkit, error);
        // sdbus-c++ still uses the proxy while this runs: it is destroyed from the loop.
        dispatcher_.post([this, id, decision] { finish(id, decision); });
    };
    std::map<std::string, std::string> details;
    if (!module.empty()) {
        details.emplace(wire::action::moduleDetail, module);
    }
    try {
        auto call = std::make_unique<PolkitCall>(connection_, std::move(onReply));
        const ScopedMethodCallTimeout timeout(
            connection_, interactive ? std::chrono::microseconds(interactiveCheckTimeout)
                                     : std::chrono::microseconds(checkTimeout));
        call->CheckAuthorization(sdbus::make_struct(std::string("system-bus-name"),
                                                    std::map<std::string, sdbus::Variant>{
                                                        {"name", sdbus::Variant(caller.busName)}}),
                                 std::string(actionId(action)), details,
                                 interactive ? allowUserInteraction : 0U, "");
        pending_.emplace(id, Pending{std::move(call), std::move(answer)});
    } catch (const sdbus::Error& error) {
        answer(answerOf(action, module, interactive, nullptr, &error));
    }
}

void PolkitAuthority::finish(std::uint64_t id, const AuthorityAnswer& answer) {
    auto node = pending_.extract(id);
    if (node.empty()) {
        return;
    }
    if (answer.verdict != AuthorityAnswer::Verdict::Allowed) {
        logger_->debug("polkit refused: {}", answer.reason);
    }
    node.mapped().answer(answer);
}

void PolkitAuthority::cancelAll() {
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, check] : pending) {
        check.call.reset();
        check.answer({AuthorityAnswer::Verdict::Cancelled,
                      "kmodd is shutting down: the request was not authorized before it stopped"});
    }
}

} // namespace kmodd

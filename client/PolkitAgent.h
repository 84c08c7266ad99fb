#pragma once

#include <memory>
#include <sys/types.h>

namespace kmodctl {

/// polkit's text agent (pkttyagent), running while a call that may ask for a password is under
/// way, as systemctl runs it: only when interactive authorization is wanted, the caller is not
/// root (root needs no polkit), stdin is a terminal (someone can answer) and pkttyagent is
/// installed. --fallback keeps a desktop's agent in charge where one is registered.
class PolkitAgent {
  public:
    /// Starts the agent and waits until it has registered, or returns nullptr when none is needed
    /// or it cannot be started (the call then goes ahead without it).
    static std::unique_ptr<PolkitAgent> startIfUseful(bool askPassword);

    /// Stops the agent (SIGTERM) and reaps it.
    ~PolkitAgent();

    PolkitAgent(const PolkitAgent&) = delete;
    PolkitAgent& operator=(const PolkitAgent&) = delete;

  private:
    explicit PolkitAgent(pid_t pid) : pid_(pid) {}
    pid_t pid_;
};

} // namespace kmodctl

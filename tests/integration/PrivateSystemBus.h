#pragma once

#include "ScratchDirectory.h"
#include "Subprocess.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kmodd::testing {

/// A dbus-daemon configured like Debian's system bus (type system, EXTERNAL authentication,
/// default deny for method calls and name ownership, holes punched by the policy files
/// given), listening on a socket in directory that every user may connect to. With a service
/// directory, it starts the services its activation files name on demand, as a bus does where
/// systemd is not PID 1.
class PrivateSystemBus {
  public:
    PrivateSystemBus(const ScratchDirectory& directory,
                     const std::vector<std::filesystem::path>& policies,
                     const std::optional<std::filesystem::path>& serviceDirectory = std::nullopt);

    /// Freezes the bus daemon (SIGSTOP): nothing sent through it arrives until resume().
    void pause();
    void resume();

    /// The address for DBUS_SYSTEM_BUS_ADDRESS.
    const std::string& address() const noexcept { return address_; }

  private:
    std::filesystem::path socket_;
    std::string address_;
    std::filesystem::path log_;
    Subprocess daemon_;
};

} // namespace kmodd::testing

#pragma once

#include "ScratchDirectory.h"
#include "Subprocess.h"

#include <filesystem>
#include <string>
#include <vector>

namespace kmodd::testing {

/// A dbus-daemon configured like Debian's system bus (type system, EXTERNAL authentication,
/// default deny for method calls and name ownership, holes punched by the policy files
/// given), listening on a socket in directory that every user may connect to.
class PrivateSystemBus {
  public:
    PrivateSystemBus(const ScratchDirectory& directory,
                     const std::vector<std::filesystem::path>& policies);

    /// The address for DBUS_SYSTEM_BUS_ADDRESS.
    const std::string& address() const noexcept { return address_; }

  private:
    std::filesystem::path socket_;
    std::string address_;
    std::filesystem::path log_;
    Subprocess daemon_;
};

} // namespace kmodd::testing

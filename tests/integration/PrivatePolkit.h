#pragma once

#include "BindMount.h"
#include "ScratchDirectory.h"
#include "Subprocess.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace kmodd::testing {

/// The unprivileged users the polkit rules of the tests know, added to a private copy of
/// /etc/passwd and /etc/group.
namespace accounts {
/// No rule mentions it: polkit's defaults (auth_admin_keep) apply, and no agent answers.
inline constexpr Credentials nobody{65534, 65534};
/// "kmodd-trusted": a test rule allows it every kmodd action.
inline constexpr Credentials trusted{64101, 65534};
/// "kmodd-dummy-only": a test rule allows it the module actions for module dummy only.
inline constexpr Credentials dummyOnly{64102, 65534};
/// "kmodd-member": in group "kmodd", so the shipped example rules apply to it.
inline constexpr Credentials groupMember{64103, 65534};
} // namespace accounts

/// polkitd on the bus named by DBUS_SYSTEM_BUS_ADDRESS, seeing (through bind mounts) our
/// org.kmodd.policy as its only action file, the shipped example rules and the test rules
/// as /etc/polkit-1/rules.d, and the test accounts. Needs the private mount namespace.
class PrivatePolkit {
  public:
    PrivatePolkit(const ScratchDirectory& directory, const std::filesystem::path& sourceDirectory);

    /// True while polkitd runs; throws with its log if it exited on its own.
    bool running();
    /// Stops polkitd (SIGTERM).
    void stop();
    /// Freezes polkitd (SIGSTOP): checks wait, unanswered, until resume() (SIGCONT).
    void pause();
    void resume();

  private:
    std::filesystem::path log_;
    std::vector<std::unique_ptr<BindMount>> mounts_;
    std::optional<Subprocess> polkitd_;
};

} // namespace kmodd::testing

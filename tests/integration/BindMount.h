#pragma once

#include <filesystem>

namespace kmodd::testing {

/// Mounts source over target for the lifetime of the object. Only ever used inside the test's
/// private mount namespace (see Main.cpp), so the host never sees it.
class BindMount {
  public:
    BindMount(const std::filesystem::path& source, const std::filesystem::path& target);
    ~BindMount();
    BindMount(const BindMount&) = delete;
    BindMount& operator=(const BindMount&) = delete;

  private:
    std::filesystem::path target_;
};

/// Gives this process a mount namespace of its own whose mounts do not propagate back.
void enterPrivateMountNamespace();

} // namespace kmodd::testing

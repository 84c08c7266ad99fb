#pragma once

#include <string>

namespace kmodd::testing {

/// kmodctl as any user can run it. The build tree may sit under a directory that only root
/// can enter (a clone in /root or in `mktemp -d`), so tests that run kmodctl as another user
/// run a copy of it from a scratch directory of this process, made on first use and removed
/// when the process exits.
const std::string& kmodctlForAnyUser();

} // namespace kmodd::testing

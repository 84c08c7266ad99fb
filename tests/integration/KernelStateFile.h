#pragma once

#include "ScratchDirectory.h"

#include <filesystem>
#include <string>
#include <vector>

namespace kmodd::testing {

/// Where kmodd-test-daemon's fake kernel keeps its module table (KMODD_FAKE_STATE_FILE): read
/// when the daemon starts, rewritten on every change, so that "the kernel" outlives a killed
/// daemon and a test can compare what kmodd reports with what is really loaded.
class KernelStateFile {
  public:
    /// "KMODD_FAKE_STATE_FILE=<path>", for the daemon's environment.
    std::string environmentVariable() const;
    /// The modules the fake kernel has loaded, sorted.
    std::vector<std::string> loadedModules() const;

  private:
    ScratchDirectory directory_{"kernel-state"};
};

} // namespace kmodd::testing

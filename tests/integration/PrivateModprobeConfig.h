#pragma once

#include "BindMount.h"
#include "ScratchDirectory.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace kmodd::testing {

/// The machine's module configuration as libkmod reads it, replaced for one test: an empty
/// directory of the test's own over each of libkmod's modprobe.d directories that exists, and
/// a file of its own over /proc/cmdline (libkmod reads that path and no other), inside the
/// test's private mount namespace. The daemon's modprobe.d and kernel command line are then
/// what the test writes, never the host's.
class PrivateModprobeConfig {
  public:
    explicit PrivateModprobeConfig(const ScratchDirectory& scratch);

    /// Writes a file of the modprobe.d every replaced directory shows; returns its path there,
    /// as libkmod (and kmodd's messages) name it.
    std::filesystem::path write(const std::string& fileName, const std::string& text) const;
    /// What /proc/cmdline reads; libkmod reads it when kmodd opens its module index.
    void setKernelCommandLine(const std::string& text) const;

  private:
    std::filesystem::path directory_;
    std::filesystem::path cmdline_;
    std::vector<std::unique_ptr<BindMount>> mounts_;
};

} // namespace kmodd::testing

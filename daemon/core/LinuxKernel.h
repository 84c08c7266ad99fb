#pragma once

#include "Kernel.h"

#include <filesystem>

namespace kmodd {

/// The real kernel: the module syscalls and the /proc and /sys files that describe modules.
/// This is the only code in kmodd that calls init_module, finit_module or delete_module.
class LinuxKernel final : public Kernel {
  public:
    /// procRoot and sysRoot are "/proc" and "/sys" except in tests of the file parsing.
    explicit LinuxKernel(std::filesystem::path procRoot = "/proc",
                         std::filesystem::path sysRoot = "/sys");

    int finitModule(int fd, const std::string& parameters, unsigned flags) override;
    int initModule(std::span<const std::byte> image, const std::string& parameters) override;
    int deleteModule(const ModuleName& name, unsigned flags) override;

    std::vector<LoadedModule> loadedModules() const override;
    std::optional<ModuleParameters> moduleParameters(const ModuleName& name) const override;
    std::string compression() const override;
    ModuleRestrictions moduleRestrictions() const override;

  private:
    std::filesystem::path procRoot_;
    std::filesystem::path sysRoot_;
};

} // namespace kmodd

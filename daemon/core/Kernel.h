#pragma once

#include "ModuleName.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kmodd {

/// A module's place in its life, as /sys/module/NAME/initstate and /proc/modules say it.
enum class ModuleState { Live, Coming, Going };

/// One line of /proc/modules.
struct LoadedModule {
    ModuleName name;
    std::uint64_t size = 0;
    std::optional<unsigned> refcount; ///< absent when the kernel cannot unload modules ("-")
    std::vector<ModuleName> holders;  ///< the modules that use this one
    ModuleState state = ModuleState::Live;

    bool operator==(const LoadedModule&) const = default;
};

/// A module's readable parameters, as /sys/module/NAME/parameters has them: the value when the
/// file is readable by others, nullopt when only root or its group may read it (kmodd publishes
/// only what its caller could have read). Write-only parameters are absent.
using ModuleParameters = std::map<std::string, std::optional<std::string>>;

/// The kernel's own restrictions on loading modules, as it publishes them.
struct ModuleRestrictions {
    bool modulesDisabled = false;    ///< /proc/sys/kernel/modules_disabled is 1
    std::string lockdown{};          ///< the active /sys/kernel/security/lockdown mode, "" if none
    bool signaturesEnforced = false; ///< /sys/module/module/parameters/sig_enforce is Y

    bool operator==(const ModuleRestrictions&) const = default;
};

/// Everything kmodd asks of the kernel. LinuxKernel is the only implementation that makes the
/// module syscalls; tests use FakeKernel. Implementations must be safe to call from several
/// threads at once.
class Kernel {
  public:
    virtual ~Kernel() = default;

    /// finit_module(2) on an open module file. Returns 0 or the errno.
    virtual int finitModule(int fd, const std::string& parameters, unsigned flags) = 0;
    /// init_module(2) on an uncompressed module image. Returns 0 or the errno.
    virtual int initModule(std::span<const std::byte> image, const std::string& parameters) = 0;
    /// delete_module(2). Returns 0 or the errno.
    virtual int deleteModule(const ModuleName& name, unsigned flags) = 0;

    /// The modules the kernel has loaded (/proc/modules). Throws Error(Failed) if unreadable.
    virtual std::vector<LoadedModule> loadedModules() const = 0;
    /// The parameters of a loaded or built-in module, or nullopt when the kernel has no such
    /// module (no /sys/module/NAME). State, references and holders come from loadedModules().
    virtual std::optional<ModuleParameters> moduleParameters(const ModuleName& name) const = 0;
    /// The algorithm finit_module can decompress (/sys/module/compression: "gzip", "xz",
    /// "zstd"), or "" when the kernel decompresses nothing.
    virtual std::string compression() const = 0;
    /// What forbids or limits module loading now; read when the kernel refuses a module, to
    /// say which restriction refused it.
    virtual ModuleRestrictions moduleRestrictions() const = 0;
};

} // namespace kmodd

#pragma once

#include "Kernel.h"

#include <map>
#include <vector>

namespace kmodd {

using ModuleMap = std::map<ModuleName, LoadedModule>;

/// What changed in the kernel's module list between two reads.
struct TableChanges {
    std::vector<ModuleName> added;
    std::vector<ModuleName> removed;
    std::vector<ModuleName> changed;    ///< still there, with another state, refcount or holders
    std::vector<ModuleName> becameLive; ///< added live, or live now and not before

    bool operator==(const TableChanges&) const = default;
};

/// Compares two reads of the module list. Each list is in name order.
TableChanges diffModules(const ModuleMap& before, const ModuleMap& after);

/// The daemon's picture of the kernel's module list: the last read of Kernel::loadedModules().
class ModuleTable {
  public:
    /// Starts empty: the first refresh() reports every loaded module as added.
    explicit ModuleTable(const Kernel& kernel) : kernel_(kernel) {}

    /// Reads the kernel's list again and says what changed. Throws Error(Failed) if the list
    /// cannot be read; the table then stays as it was.
    TableChanges refresh();

    const ModuleMap& modules() const noexcept { return modules_; }
    /// The module, or nullptr when it is not loaded.
    const LoadedModule* find(const ModuleName& name) const;
    /// True while some module is coming or going (no uevent says when it is done).
    bool settling() const;

  private:
    const Kernel& kernel_;
    ModuleMap modules_;
};

} // namespace kmodd

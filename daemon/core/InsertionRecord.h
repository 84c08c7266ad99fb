#pragma once

#include "Kernel.h"
#include "ModuleName.h"

#include <map>
#include <vector>

namespace kmodd {

/// Which modules kmodd inserted for each module it loaded (its dependencies and soft
/// dependencies), so that unloading the module can take those along and never anything else.
/// Used from the kernel queue's thread only.
class InsertionRecord {
  public:
    /// A load of module inserted `inserted` (in load order, module itself among them or not).
    void recordLoad(const ModuleName& module, const std::vector<ModuleName>& inserted);

    /// What a load of module inserted besides the module, in load order.
    std::vector<ModuleName> insertedFor(const ModuleName& module) const;

    /// Forgets what module's load inserted (the module was unloaded).
    void forget(const ModuleName& module);

    /// Forgets every module that is no longer in the kernel: once a module is gone, whatever
    /// has that name later was not inserted by that load.
    void forgetModulesNotIn(const std::vector<LoadedModule>& loaded);

  private:
    std::map<ModuleName, std::vector<ModuleName>> inserted_;
};

} // namespace kmodd

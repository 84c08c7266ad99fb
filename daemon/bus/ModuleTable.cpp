#include "ModuleTable.h"

#include <algorithm>

namespace kmodd {

TableChanges diffModules(const ModuleMap& before, const ModuleMap& after) {
    TableChanges changes;
    for (const auto& [name, module] : before) {
        if (!after.contains(name)) {
            changes.removed.push_back(name);
        }
    }
    for (const auto& [name, module] : after) {
        const auto old = before.find(name);
        const bool live = module.state == ModuleState::Live;
        if (old == before.end()) {
            changes.added.push_back(name);
        } else if (old->second.state != module.state || old->second.refcount != module.refcount ||
                   old->second.holders != module.holders) {
            changes.changed.push_back(name);
        }
        if (live && (old == before.end() || old->second.state != ModuleState::Live)) {
            changes.becameLive.push_back(name);
        }
    }
    return changes;
}

TableChanges ModuleTable::refresh() {
    ModuleMap current;
    for (auto& module : kernel_.loadedModules()) {
        std::sort(module.holders.begin(), module.holders.end());
        ModuleName name = module.name;
        current.insert_or_assign(std::move(name), std::move(module));
    }
    TableChanges changes = diffModules(modules_, current);
    modules_ = std::move(current);
    return changes;
}

const LoadedModule* ModuleTable::find(const ModuleName& name) const {
    const auto found = modules_.find(name);
    return found == modules_.end() ? nullptr : &found->second;
}

bool ModuleTable::settling() const {
    return std::any_of(modules_.begin(), modules_.end(),
                       [](const auto& entry) { return entry.second.state != ModuleState::Live; });
}

} // namespace kmodd

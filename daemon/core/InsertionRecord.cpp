#include "InsertionRecord.h"

#include <algorithm>
#include <set>

namespace kmodd {

void InsertionRecord::recordLoad(const ModuleName& module,
                                 const std::vector<ModuleName>& inserted) {
    std::vector<ModuleName> others;
    std::copy_if(inserted.begin(), inserted.end(), std::back_inserter(others),
                 [&](const ModuleName& name) { return name != module; });
    if (others.empty()) {
        inserted_.erase(module);
    } else {
        inserted_[module] = std::move(others);
    }
}

std::vector<ModuleName> InsertionRecord::insertedFor(const ModuleName& module) const {
    const auto found = inserted_.find(module);
    return found == inserted_.end() ? std::vector<ModuleName>{} : found->second;
}

void InsertionRecord::forget(const ModuleName& module) {
    inserted_.erase(module);
}

void InsertionRecord::forgetModulesNotIn(const std::vector<LoadedModule>& loaded) {
    std::set<ModuleName> present;
    for (const auto& module : loaded) {
        present.insert(module.name);
    }
    std::erase_if(inserted_, [&](const auto& entry) { return !present.contains(entry.first); });
    for (auto& [module, inserted] : inserted_) {
        std::erase_if(inserted, [&](const ModuleName& name) { return !present.contains(name); });
    }
}

} // namespace kmodd

#include "CheckedPlan.h"

#include "ModuleFacts.h"

namespace kmodd::testing {

LoadPlan checkedPlan(const ModuleEngine& engine, const LoadRequest& request) {
    LoadPlan plan = engine.prepareLoad(request);
    std::vector<ModuleFactsOrError> facts;
    for (const auto& file : plan.filesToCheck()) {
        try {
            facts.emplace_back(std::make_shared<const ModuleFacts>(
                readModuleFacts(engine.config()->trustedPaths, file)));
        } catch (const Error& error) {
            facts.emplace_back(error);
        }
    }
    engine.checkFacts(plan, facts);
    return plan;
}

std::vector<std::string> names(const std::vector<ModuleName>& list) {
    std::vector<std::string> out;
    for (const auto& name : list) {
        out.push_back(name.str());
    }
    return out;
}

} // namespace kmodd::testing

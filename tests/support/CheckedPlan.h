#pragma once

#include "ModuleEngine.h"

#include <string>
#include <vector>

namespace kmodd::testing {

/// What the daemon does before authorization: the plan, then its parameters checked against
/// the files' facts, each file's read as the facts cache reads it (here on the caller's thread,
/// by the cache's readers in the daemon).
LoadPlan checkedPlan(const ModuleEngine& engine, const LoadRequest& request);

/// The names as strings, for assertions.
std::vector<std::string> names(const std::vector<ModuleName>& list);

} // namespace kmodd::testing

#pragma once

// The generated org.kmodd.Manager1 adaptor and the C++ types of its arguments.

#include <cstdint>
#include <org.kmodd.Manager1_adaptor.h>
#include <sdbus-c++/sdbus-c++.h>
#include <string>
#include <vector>

namespace kmodd {

/// ListModules' reply: name, state, reference count and holders of every loaded module.
using ModuleList =
    std::vector<sdbus::Struct<std::string, std::string, uint32_t, std::vector<std::string>>>;

/// Load's plan: module, file, parameters, and inserted, already-loaded or to-insert.
using PlanEntries = std::vector<sdbus::Struct<std::string, std::string, std::string, std::string>>;

/// Load's soft dependencies not loaded: module and reason.
using SkippedModules = std::vector<sdbus::Struct<std::string, std::string>>;

} // namespace kmodd

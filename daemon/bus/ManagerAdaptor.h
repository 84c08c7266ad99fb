#pragma once

// The generated org.kmodd.Manager1 adaptor, with a cheaper writer for ListModules' reply.
// sdbus-c++ 1.2 writes a vector of Structs by rebuilding the struct's signature string,
// "(ssuas)", from its parts for every element: ~650 instructions per module, a seventh of the
// whole call. The overload below writes the same message with constant signatures. Being an
// exact non-template match, found by argument-dependent lookup (Struct is in sdbus), it is
// preferred to sdbus-c++'s templates wherever it is declared when Result<ModuleList>::
// returnResults() is instantiated; including the adaptor only through this header keeps that
// true.

#include <cstdint>
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

namespace sdbus {

inline Message& operator<<(Message& message, const kmodd::ModuleList& modules) {
    static const std::string entry = "(ssuas)";
    static const std::string fields = "ssuas";
    static const std::string holderEntry = "s";
    message.openContainer(entry);
    for (const auto& module : modules) {
        message.openStruct(fields);
        message << std::get<0>(module) << std::get<1>(module) << std::get<2>(module);
        message.openContainer(holderEntry);
        for (const auto& holder : std::get<3>(module)) {
            message << holder;
        }
        message.closeContainer();
        message.closeStruct();
    }
    message.closeContainer();
    return message;
}

} // namespace sdbus

#include <org.kmodd.Manager1_adaptor.h> // after the overload above

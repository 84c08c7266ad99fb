#pragma once

#include "Kernel.h"

#include <optional>
#include <string_view>
#include <vector>

namespace kmodd {

/// Parses the text of /proc/modules ("name size refcnt deps state address [taints]" per line;
/// deps "a,b," or "-"). Throws Error(Failed) quoting the first malformed line.
std::vector<LoadedModule> parseProcModules(std::string_view text);

/// Parses a reference count as /proc/modules prints it ("%i"). A module being unloaded can show
/// -1: that is 0, nobody holds it. nullopt if not a number.
std::optional<unsigned> parseRefcount(std::string_view text);

} // namespace kmodd

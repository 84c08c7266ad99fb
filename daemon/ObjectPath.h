#pragma once

#include "ModuleName.h"

#include <string>
#include <string_view>

namespace kmodd {

inline constexpr const char* managerObjectPath = "/org/kmodd/Manager1";

/// One D-Bus object path element for text, as udisks escapes it: '-' becomes '_', then every
/// byte outside [A-Za-z0-9_] becomes '_' and two lowercase hex digits. "" becomes "_".
std::string escapeObjectPathElement(std::string_view text);

/// /org/kmodd/Manager1/module/<escaped name>
std::string moduleObjectPath(const ModuleName& name);

} // namespace kmodd

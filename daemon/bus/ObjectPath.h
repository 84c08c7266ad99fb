#pragma once

#include "ModuleName.h"

#include <string>
#include <string_view>

namespace kmodd {

/// One D-Bus object path element for text, as udisks escapes it: '-' becomes '_', then every
/// byte outside [A-Za-z0-9_] becomes '_' and two lowercase hex digits. "" becomes "_".
std::string escapeObjectPathElement(std::string_view text);

/// wire::managerPath + wire::modulePathInfix + the escaped name:
/// /org/kmodd/Manager1/module/<escaped name>
std::string moduleObjectPath(const ModuleName& name);

} // namespace kmodd

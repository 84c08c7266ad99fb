#pragma once

#include "ModuleInfo.h"

#include <map>
#include <sdbus-c++/Types.h>
#include <string>

namespace kmodctl {

/// Properties (or a GetModule dictionary) as plain values; a value of a type org.kmodd.Module1
/// does not use is left out.
PropertyMap toPropertyMap(const std::map<std::string, sdbus::Variant>& variants);

} // namespace kmodctl

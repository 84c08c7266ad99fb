#pragma once

#include "ModuleName.h"
#include "Parameters.h"

#include <map>
#include <string>

namespace kmodd {

/// A module's declared parameter types, as its `parmtype` entries say: name ('-' written as
/// '_') -> type, e.g. "int", "charp", "array of ushort".
using ParameterTypes = std::map<std::string, std::string>;

/// Checks every value of parameters against its declared type the way the kernel's
/// param_set_* functions would parse it (kstrtoint and friends, kstrtobool), so that a wrong
/// value is refused by name before it reaches the kernel as a bare EINVAL. Types the kernel
/// does not define (a module's own parameter operations) are left to the kernel. Throws
/// Error(InvalidParameter) naming the module, the parameter, the expected type and the value.
void checkParameterTypes(const ModuleName& module, const ParameterList& parameters,
                         const ParameterTypes& types);

} // namespace kmodd

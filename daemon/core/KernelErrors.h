#pragma once

#include "Error.h"

#include <string_view>

namespace kmodd {

enum class KernelOperation { Load, Unload };

/// Turns an errno from init_module(2), finit_module(2) or delete_module(2) into an error whose
/// message is one sentence naming the module and what the errno means for that operation.
/// EEXIST on load is not an error (the module is already loaded); callers handle it first.
Error kernelError(KernelOperation operation, std::string_view module, int errnum);

} // namespace kmodd

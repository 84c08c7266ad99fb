#pragma once

#include "Error.h"
#include "Kernel.h"

#include <string_view>

namespace kmodd {

enum class KernelOperation { Load, Unload };

/// Turns an errno from init_module(2), finit_module(2) or delete_module(2) into an error whose
/// message is one sentence naming the module and what the errno means for that operation.
/// EEXIST on load is not an error (the module is already loaded); callers handle it first.
Error kernelError(KernelOperation operation, std::string_view module, int errnum);

/// A refused load (EPERM, ENOKEY, EKEYREJECTED, EBADMSG) in one sentence that names the
/// kernel restriction in force that explains it (kernel.modules_disabled, lockdown,
/// module.sig_enforce); kernelError's sentence when none does.
Error loadRefusal(std::string_view module, int errnum, const ModuleRestrictions& restrictions);

} // namespace kmodd

#pragma once

#include "ManagerAdaptor.h"

#include <sdbus-c++/Message.h>

namespace kmodd {

/// Writes ListModules' a(ssuas) into reply with constant signatures. sdbus-c++ 1.2's generic
/// writer (sdbus::Result::returnResults) rebuilds the signature "(ssuas)" from its parts for
/// every element: ~650 instructions per module, a seventh of the whole call.
void writeModuleList(sdbus::Message& reply, const ModuleList& modules);

} // namespace kmodd

#pragma once

#include "CommandLine.h"
#include "ExitStatus.h"
#include "SystemBus.h"

namespace kmodctl {

/// Runs list, status, load, unload, reload or boot with a call to org.kmodd.Manager1, printing
/// the result. A failed call throws BusError; when kmodd does not find the module of a load,
/// unload or status, its message ends with "; did you mean ...?" if there are close names.
ExitStatus runCommand(const Invocation& invocation, SystemBus& bus);

} // namespace kmodctl

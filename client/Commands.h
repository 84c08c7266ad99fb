#pragma once

#include "CommandLine.h"
#include "ExitStatus.h"

#include <sdbus-c++/IConnection.h>

namespace kmodctl {

/// Runs list, status, load, unload, reload or boot with one call to org.kmodd.Manager1, printing
/// the result. A failed call throws sdbus::Error.
ExitStatus runCommand(const Invocation& invocation, sdbus::IConnection& connection);

} // namespace kmodctl

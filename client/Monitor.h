#pragma once

#include "ExitStatus.h"

#include <sdbus-c++/IConnection.h>

namespace kmodctl {

/// `kmodctl monitor`: prints ModuleLoaded, ModuleUnloaded and every module property change as
/// one line each, flushed, until SIGINT or SIGTERM (then returns exitSuccess). A lost bus
/// connection throws sdbus::Error.
ExitStatus runMonitor(sdbus::IConnection& connection, bool json);

} // namespace kmodctl

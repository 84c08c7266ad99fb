#pragma once

#include "ExitStatus.h"
#include "SystemBus.h"

namespace kmodctl {

/// `kmodctl monitor`: prints ModuleLoaded, ModuleUnloaded and every module property change as
/// one line each, flushed, until SIGINT or SIGTERM (then returns exitSuccess). A lost bus
/// connection throws std::runtime_error.
ExitStatus runMonitor(SystemBus& bus, bool json);

} // namespace kmodctl

#pragma once

#include "Error.h"

#include <sdbus-c++/Error.h>

namespace kmodd {

/// The exception being handled, as an Error: an Error as it is, anything else as
/// Error(Failed) with its message. Call only inside a catch block.
Error currentError();

/// The D-Bus error org.kmodd.Error.<Kind> carrying the error's message.
sdbus::Error toBusError(const Error& error);

} // namespace kmodd

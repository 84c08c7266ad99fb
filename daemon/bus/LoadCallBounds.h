#pragma once

#include "Error.h"

#include <optional>
#include <sdbus-c++/Message.h>
#include <string>

namespace kmodd {

/// Load's call as far as its bounds need it, read from the raw message: sdbus-c++'s adaptor
/// would first decode the whole a{ss} into a std::map, 40,000 parameters as readily as 4.
struct LoadCallBounds {
    std::string requested;        ///< the name as the caller wrote it
    std::optional<Error> refusal; ///< beyond the bounds: ParameterBounds' InvalidArgument
};

/// Reads Load's name and its parameters up to the first one beyond requestLimit
/// (ParameterBounds), without copying them, then rewinds the call for its decoding. call
/// carries Load's signature "sa{ss}t" (sd-bus checks it before any callback runs).
LoadCallBounds readLoadCallBounds(sdbus::Message& call);

} // namespace kmodd

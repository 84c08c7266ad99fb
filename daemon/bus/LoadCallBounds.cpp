#include "LoadCallBounds.h"

#include "RequestDecoding.h"

namespace kmodd {

LoadCallBounds readLoadCallBounds(sdbus::Message& call) {
    LoadCallBounds bounds;
    // Strings are read as pointers into the message: nothing is copied but the name.
    char* name = nullptr;
    call >> name;
    bounds.requested = name;
    try {
        ParameterBounds parameters(bounds.requested);
        call.enterContainer("{ss}");
        while (call.enterDictEntry("ss")) {
            char* key = nullptr;
            char* value = nullptr;
            call >> key >> value;
            parameters.count(key, value);
            call.exitDictEntry();
        }
    } catch (const Error& error) {
        bounds.refusal = error;
    }
    call.clearFlags(); // the end of the array reads as a failure
    call.rewind(true);
    return bounds;
}

} // namespace kmodd

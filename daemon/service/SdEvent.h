#pragma once

#include <memory>
#include <systemd/sd-event.h>

namespace kmodd {

struct EventUnref {
    void operator()(sd_event* event) const { sd_event_unref(event); }
};
/// Owns a reference to an sd-event loop.
using EventPtr = std::unique_ptr<sd_event, EventUnref>;

struct EventSourceUnref {
    void operator()(sd_event_source* source) const { sd_event_source_disable_unref(source); }
};
/// Owns an event source; destroying it disables the source first, so no callback runs after.
using EventSourcePtr = std::unique_ptr<sd_event_source, EventSourceUnref>;

} // namespace kmodd

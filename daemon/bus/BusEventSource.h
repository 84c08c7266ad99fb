#pragma once

#include "SdEvent.h"

#include <memory>
#include <sdbus-c++/IConnection.h>
#include <spdlog/logger.h>

namespace kmodd {

/// Serves an sdbus-c++ connection from an sd-event loop (sdbus-c++ 1.2 cannot attach to one):
/// an io source on the bus socket and a timer for sd-bus's next deadline, both re-armed from
/// getEventLoopPollData() before the loop sleeps. Each wake-up processes up to a few dozen bus
/// events, and the deadline is "now" while more are queued, so other sources are served in
/// between.
/// A broken connection stops the loop with EXIT_FAILURE.
class BusEventSource {
  public:
    BusEventSource(sd_event* event, sdbus::IConnection& connection,
                   std::shared_ptr<spdlog::logger> logger);
    BusEventSource(const BusEventSource&) = delete;
    BusEventSource& operator=(const BusEventSource&) = delete;

  private:
    static int onPrepare(sd_event_source* source, void* self);
    static int onIo(sd_event_source* source, int fd, std::uint32_t events, void* self);
    static int onTimer(sd_event_source* source, std::uint64_t usec, void* self);
    int process();
    int fail(const char* what, const std::exception& error);

    sd_event* event_;
    sdbus::IConnection& connection_;
    std::shared_ptr<spdlog::logger> logger_;
    EventSourcePtr io_;
    EventSourcePtr timer_;
};

} // namespace kmodd

#include "BusEventSource.h"

#include <cstdint>
#include <cstdlib>
#include <sdbus-c++/Error.h>
#include <system_error>

namespace kmodd {
namespace {

void check(int result, const char* what) {
    if (result < 0) {
        throw std::system_error(-result, std::generic_category(), what);
    }
}

constexpr int batchLimit = 32;

} // namespace

BusEventSource::BusEventSource(sd_event* event, sdbus::IConnection& connection,
                               std::shared_ptr<spdlog::logger> logger)
    : event_(event), connection_(connection), logger_(std::move(logger)) {
    const auto poll = connection_.getEventLoopPollData();
    sd_event_source* source = nullptr;
    check(sd_event_add_io(event, &source, poll.fd, static_cast<std::uint32_t>(poll.events), onIo,
                          this),
          "cannot watch the bus socket");
    io_.reset(source);
    check(sd_event_source_set_prepare(io_.get(), onPrepare), "cannot watch the bus socket");
    // Accuracy 1 µs: the default 250 ms slack would delay the "process now" deadline.
    check(sd_event_add_time(event, &source, CLOCK_MONOTONIC, UINT64_MAX, 1, onTimer, this),
          "cannot add the bus timer");
    timer_.reset(source);
    check(sd_event_source_set_enabled(timer_.get(), SD_EVENT_OFF), "cannot add the bus timer");
}

int BusEventSource::onPrepare(sd_event_source*, void* self) {
    auto* bus = static_cast<BusEventSource*>(self);
    try {
        const auto poll = bus->connection_.getEventLoopPollData();
        // poll(2) and epoll use the same values for POLLIN and POLLOUT.
        check(
            sd_event_source_set_io_events(bus->io_.get(), static_cast<std::uint32_t>(poll.events)),
            "cannot watch the bus socket");
        if (poll.timeout_usec == UINT64_MAX) {
            check(sd_event_source_set_enabled(bus->timer_.get(), SD_EVENT_OFF),
                  "cannot set the bus timer");
        } else {
            check(sd_event_source_set_time(bus->timer_.get(), poll.timeout_usec),
                  "cannot set the bus timer");
            check(sd_event_source_set_enabled(bus->timer_.get(), SD_EVENT_ONESHOT),
                  "cannot set the bus timer");
        }
        return 0;
    } catch (const std::exception& error) {
        return bus->fail("cannot wait for the bus", error);
    }
}

int BusEventSource::onIo(sd_event_source*, int, std::uint32_t, void* self) {
    return static_cast<BusEventSource*>(self)->process();
}

int BusEventSource::onTimer(sd_event_source*, std::uint64_t, void* self) {
    return static_cast<BusEventSource*>(self)->process();
}

int BusEventSource::process() {
    try {
        // Several messages per wake-up: under load a queue builds up, and going back to the loop
        // for each one costs an epoll_wait and a timerfd_settime. Bounded, so that signals and
        // the kernel queue's answers wait for a few messages at most.
        for (int i = 0; i < batchLimit && connection_.processPendingRequest(); ++i) {
        }
        return 0;
    } catch (const std::exception& error) {
        return fail("lost the bus connection", error);
    }
}

int BusEventSource::fail(const char* what, const std::exception& error) {
    logger_->error("{}: {}", what, error.what());
    sd_event_exit(event_, EXIT_FAILURE);
    return 0;
}

} // namespace kmodd

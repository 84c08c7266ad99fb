#pragma once

#include "SdEvent.h"
#include "UniqueFd.h"

#include <functional>
#include <memory>
#include <mutex>
#include <spdlog/logger.h>
#include <vector>

namespace kmodd {

/// Hands work to the thread that runs the sd-event loop, so that every D-Bus call happens on
/// that one thread: post() (from any thread) queues a task and wakes the loop through an
/// eventfd; the loop runs the tasks in the order they were posted.
class MainThreadDispatcher {
  public:
    MainThreadDispatcher(sd_event* event, std::shared_ptr<spdlog::logger> logger);
    MainThreadDispatcher(const MainThreadDispatcher&) = delete;
    MainThreadDispatcher& operator=(const MainThreadDispatcher&) = delete;

    /// Queues a task for the loop's thread. Safe from any thread.
    void post(std::function<void()> task);

    /// Runs the queued tasks, and those they post, until none is left. The loop calls it when
    /// woken; shutdown calls it once the loop has stopped. A task that throws is logged.
    void runPending();

  private:
    static int onWake(sd_event_source* source, int fd, std::uint32_t events, void* self);

    std::shared_ptr<spdlog::logger> logger_;
    UniqueFd wakeFd_;
    EventSourcePtr source_;
    std::mutex mutex_;
    std::vector<std::function<void()>> tasks_;
};

} // namespace kmodd

#include "MainThreadDispatcher.h"

#include <cerrno>
#include <cstdint>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <system_error>

namespace kmodd {

MainThreadDispatcher::MainThreadDispatcher(sd_event* event, std::shared_ptr<spdlog::logger> logger)
    : logger_(std::move(logger)), wakeFd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!wakeFd_) {
        throw std::system_error(errno, std::generic_category(), "cannot create an eventfd");
    }
    sd_event_source* source = nullptr;
    if (const int r = sd_event_add_io(event, &source, wakeFd_.get(), EPOLLIN, onWake, this);
        r < 0) {
        throw std::system_error(-r, std::generic_category(), "cannot watch the eventfd");
    }
    source_.reset(source);
}

void MainThreadDispatcher::post(std::function<void()> task) {
    {
        std::lock_guard lock(mutex_);
        tasks_.push_back(std::move(task));
    }
    const std::uint64_t one = 1;
    // Only EAGAIN can fail here (the counter is full), and then the loop is awake anyway.
    [[maybe_unused]] const auto written = ::write(wakeFd_.get(), &one, sizeof one);
}

void MainThreadDispatcher::runPending() {
    for (;;) {
        std::vector<std::function<void()>> tasks;
        {
            std::lock_guard lock(mutex_);
            tasks.swap(tasks_);
        }
        if (tasks.empty()) {
            return;
        }
        for (auto& task : tasks) {
            try {
                task();
            } catch (const std::exception& error) {
                logger_->error("{}", error.what());
            }
        }
    }
}

int MainThreadDispatcher::onWake(sd_event_source*, int fd, std::uint32_t, void* self) {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto read = ::read(fd, &count, sizeof count);
    static_cast<MainThreadDispatcher*>(self)->runPending();
    return 0;
}

} // namespace kmodd

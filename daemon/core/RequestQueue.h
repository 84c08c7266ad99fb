#pragma once

#include "Error.h"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace kmodd {

/// Runs kernel operations one at a time, in arrival order, on a thread of its own, so that the
/// caller's thread (the D-Bus loop) never waits for the kernel. Requests with the same key
/// while one is queued or running share its result. At most `capacity` operations wait; a
/// request beyond that is refused with Error(Busy) instead of growing the queue.
template <class Result> class RequestQueue {
  public:
    using Outcome = std::variant<Result, Error>;
    /// Runs on the queue thread; an Error it throws becomes the outcome.
    using Work = std::function<Result()>;
    /// Runs on the queue thread with the outcome, once for every request sharing it.
    using Completion = std::function<void(const Outcome&)>;

    explicit RequestQueue(std::size_t capacity) : capacity_(capacity) {
        worker_ = std::thread([this] { run(); });
    }
    ~RequestQueue() { stop(); }
    RequestQueue(const RequestQueue&) = delete;
    RequestQueue& operator=(const RequestQueue&) = delete;

    /// Queues work under key, or joins the queued or running operation with the same key.
    /// Throws Error(Busy) when the queue is full or stopped.
    void submit(const std::string& key, Work work, Completion done) {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            throw Error(ErrorKind::Busy, "kmodd is shutting down and takes no new requests");
        }
        if (auto existing = byKey_.find(key); existing != byKey_.end()) {
            existing->second->waiters.push_back(std::move(done));
            return;
        }
        if (pending_.size() >= capacity_) {
            throw Error(ErrorKind::Busy, "kmodd has " + std::to_string(capacity_) +
                                             " requests waiting for the kernel; try again later");
        }
        auto operation = std::make_shared<Operation>(key, std::move(work));
        operation->waiters.push_back(std::move(done));
        byKey_.emplace(key, operation);
        pending_.push_back(std::move(operation));
        wake_.notify_one();
    }

    /// Lets the running operation finish, answers every queued one with Error(Busy), and joins
    /// the thread. Safe to call more than once.
    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        if (worker_.joinable()) {
            worker_.join();
        }
    }

    /// Operations that have run, counted as each returns and before its waiters hear of it:
    /// whoever reads n knows that the kernel has seen the first n.
    std::uint64_t finished() const { return finished_.load(); }

    /// Operations waiting to run (not counting the running one).
    std::size_t waiting() const {
        std::lock_guard lock(mutex_);
        return pending_.size();
    }

  private:
    struct Operation {
        Operation(std::string k, Work w) : key(std::move(k)), work(std::move(w)) {}
        std::string key;
        Work work;
        std::vector<Completion> waiters;
    };

    void run() {
        for (;;) {
            std::shared_ptr<Operation> operation;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
                if (stopping_) {
                    break;
                }
                operation = std::move(pending_.front());
                pending_.pop_front();
            }
            const Outcome outcome = perform(*operation);
            ++finished_;
            finish(*operation, outcome);
        }
        cancelPending();
    }

    static Outcome perform(Operation& operation) {
        try {
            return Outcome(std::in_place_index<0>, operation.work());
        } catch (const Error& error) {
            return Outcome(std::in_place_index<1>, error);
        } catch (const std::exception& error) {
            return Outcome(std::in_place_index<1>, Error(ErrorKind::Failed, error.what()));
        }
    }

    // Waiters may still join while the work runs, so they are taken only once it is done.
    void finish(Operation& operation, const Outcome& outcome) {
        std::vector<Completion> waiters;
        {
            std::lock_guard lock(mutex_);
            byKey_.erase(operation.key);
            waiters = std::move(operation.waiters);
        }
        for (auto& done : waiters) {
            done(outcome);
        }
    }

    void cancelPending() {
        std::deque<std::shared_ptr<Operation>> cancelled;
        {
            std::lock_guard lock(mutex_);
            cancelled.swap(pending_);
        }
        const Outcome outcome(std::in_place_index<1>,
                              Error(ErrorKind::Busy, "kmodd stopped before the request ran"));
        for (auto& operation : cancelled) {
            finish(*operation, outcome);
        }
    }

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::shared_ptr<Operation>> pending_;
    std::map<std::string, std::shared_ptr<Operation>> byKey_;
    bool stopping_ = false;
    std::atomic<std::uint64_t> finished_{0};
    std::thread worker_;
};

} // namespace kmodd

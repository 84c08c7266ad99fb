#pragma once

#include "Error.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

namespace kmodd {

/// Runs kernel operations one at a time, in arrival order, on a thread of its own, so that the
/// caller's thread (the D-Bus loop) never waits for the kernel. Requests with the same key
/// while one is queued or running share its result. At most `capacity` operations wait; a
/// request beyond that is refused with Error(Busy) instead of growing the queue.
///
/// A watchdog thread notices an operation that runs longer than `stuckAfter` (a module init
/// that hangs): it reports it once, answers the queued operations with Busy naming it, and
/// from then on every new request is refused at once with Busy until it returns. Operations
/// stay serialized: nothing else reaches the kernel while one is stuck.
template <class Result> class RequestQueue {
  public:
    using Clock = std::chrono::steady_clock;
    using Outcome = std::variant<Result, Error>;
    /// Runs on the queue thread; an Error it throws becomes the outcome.
    using Work = std::function<Result()>;
    /// Runs with the outcome, once for every request sharing it: on the queue thread, or on the
    /// watchdog's or stop()'s for an operation they cancel.
    using Completion = std::function<void(const Outcome&)>;

    /// The operation the kernel is busy with.
    struct Running {
        std::string what; ///< as submitted, e.g. "loading dummy"
        Clock::duration elapsed;
    };
    /// Called on the watchdog thread, once per operation, when it has run for stuckAfter.
    using StuckReport = std::function<void(const Running&)>;

    RequestQueue(std::size_t capacity, Clock::duration stuckAfter, StuckReport onStuck)
        : state_(std::make_shared<State>(capacity, stuckAfter, std::move(onStuck))) {
        worker_ = std::thread([state = state_] { run(*state); });
        watchdog_ = std::thread([state = state_] { watch(*state); });
    }
    ~RequestQueue() { stop(std::nullopt); }
    RequestQueue(const RequestQueue&) = delete;
    RequestQueue& operator=(const RequestQueue&) = delete;

    /// Queues work under key, or joins the queued or running operation with the same key. what
    /// names it in messages ("loading dummy"). Throws Error(Busy) when the queue is full, stuck
    /// or stopped.
    void submit(const std::string& key, std::string what, Work work, Completion done) {
        State& state = *state_;
        std::lock_guard lock(state.mutex);
        if (state.stopping) {
            throw Error(ErrorKind::Busy, "kmodd is shutting down and takes no new requests");
        }
        if (state.current && state.stuck) {
            throw stuckError(state.current->what, Clock::now() - state.started);
        }
        if (auto existing = state.byKey.find(key); existing != state.byKey.end()) {
            existing->second->waiters.push_back(std::move(done));
            return;
        }
        if (state.pending.size() >= state.capacity) {
            throw Error(ErrorKind::Busy, "kmodd has " + std::to_string(state.capacity) +
                                             " requests waiting for the kernel; try again later");
        }
        auto operation = std::make_shared<Operation>(key, std::move(what), std::move(work));
        operation->waiters.push_back(std::move(done));
        state.byKey.emplace(key, operation);
        state.pending.push_back(std::move(operation));
        state.work.notify_one();
    }

    /// Takes no more requests, answers every queued one with Error(Busy) and waits for the
    /// running operation for at most grace (nullopt: as long as it takes). Returns nullopt when
    /// it returned; else the operation still running, which is then abandoned: its waiters are
    /// answered with Busy, and its thread, blocked in the kernel where nothing can join it, is
    /// left for the process's exit to end. Safe to call more than once.
    std::optional<Running> stop(std::optional<Clock::duration> grace) {
        State& state = *state_;
        std::vector<std::shared_ptr<Operation>> cancelled;
        std::optional<Running> abandoned;
        {
            std::unique_lock lock(state.mutex);
            state.stopping = true;
            state.work.notify_one();
            const auto ended = [&] {
                return state.workerDone || state.abandoned;
            };
            if (grace) {
                state.idle.wait_for(lock, *grace, ended);
            }
            // Without an operation running, the worker is about to end: that takes no time.
            if (!grace || !state.current) {
                state.idle.wait(lock, ended);
            }
            if (!ended()) {
                state.abandoned = true;
                abandoned = Running{state.current->what, Clock::now() - state.started};
                cancelled.assign(state.pending.begin(), state.pending.end());
                state.pending.clear();
                cancelled.push_back(state.current);
                state.byKey.clear();
                state.watchdog.notify_one();
            }
        }
        const Outcome outcome(
            std::in_place_index<1>,
            abandoned ? Error(ErrorKind::Busy,
                              "kmodd stopped while the kernel was still " + abandoned->what)
                      : Error(ErrorKind::Busy, "kmodd stopped"));
        for (auto& operation : cancelled) {
            for (auto& done : std::exchange(operation->waiters, {})) {
                done(outcome);
            }
        }
        if (worker_.joinable()) {
            if (abandoned) {
                worker_.detach();
            } else {
                worker_.join();
            }
        }
        if (watchdog_.joinable()) {
            watchdog_.join();
        }
        return abandoned;
    }

    /// The operation running now, if any.
    std::optional<Running> running() const {
        std::lock_guard lock(state_->mutex);
        if (!state_->current) {
            return std::nullopt;
        }
        return Running{state_->current->what, Clock::now() - state_->started};
    }

    /// Operations that have run, counted as each returns and before its waiters hear of it:
    /// whoever reads n knows that the kernel has seen the first n.
    std::uint64_t finished() const { return state_->finished.load(); }

    /// Operations waiting to run (not counting the running one).
    std::size_t waiting() const {
        std::lock_guard lock(state_->mutex);
        return state_->pending.size();
    }

  private:
    struct Operation {
        Operation(std::string k, std::string w, Work job)
            : key(std::move(k)), what(std::move(w)), work(std::move(job)) {}
        std::string key;
        std::string what;
        Work work;
        std::vector<Completion> waiters;
    };

    // Shared with both threads, so that it outlives the queue for a thread left blocked in the
    // kernel at shutdown.
    struct State {
        State(std::size_t c, Clock::duration s, StuckReport r)
            : capacity(c), stuckAfter(s), onStuck(std::move(r)) {}
        const std::size_t capacity;
        const Clock::duration stuckAfter;
        const StuckReport onStuck;
        mutable std::mutex mutex;
        std::condition_variable work; ///< the worker's: work queued, stopping
        /// The watchdog's: an operation started, the worker ended or was abandoned (an operation's
        /// end needs no wake: the watchdog finds it at the deadline it sleeps until).
        std::condition_variable watchdog;
        std::condition_variable idle; ///< the worker has ended
        std::deque<std::shared_ptr<Operation>> pending;
        std::map<std::string, std::shared_ptr<Operation>> byKey;
        std::shared_ptr<Operation> current;
        Clock::time_point started;
        bool stuck = false; ///< current has run for stuckAfter
        bool stopping = false;
        bool abandoned = false;
        bool workerDone = false;
        std::atomic<std::uint64_t> finished{0};
    };

    static Error stuckError(const std::string& what, Clock::duration elapsed) {
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
        return Error(ErrorKind::Busy, "the kernel has been " + what + " for " +
                                          std::to_string(seconds) +
                                          " s without returning; kmodd runs one kernel operation "
                                          "at a time and takes no other until it returns");
    }

    static void run(State& state) {
        for (;;) {
            std::shared_ptr<Operation> operation;
            {
                std::unique_lock lock(state.mutex);
                state.work.wait(lock, [&] { return state.stopping || !state.pending.empty(); });
                if (state.stopping) {
                    break;
                }
                operation = std::move(state.pending.front());
                state.pending.pop_front();
                state.current = operation;
                state.started = Clock::now();
                state.stuck = false;
                state.watchdog.notify_one();
            }
            const Outcome outcome = perform(*operation);
            std::vector<Completion> waiters;
            {
                std::lock_guard lock(state.mutex);
                if (state.abandoned) {
                    return; // stop() has answered everyone; nothing here may be touched again
                }
                state.current.reset();
                ++state.finished;
                // Waiters may join while the work runs, so they are taken only once it is done.
                state.byKey.erase(operation->key);
                waiters = std::move(operation->waiters);
            }
            for (auto& done : waiters) {
                done(outcome);
            }
        }
        cancel(state, takePending(state), "kmodd stopped before the request ran");
        std::lock_guard lock(state.mutex);
        state.workerDone = true;
        state.idle.notify_all();
        state.watchdog.notify_one();
    }

    // Sleeps until the running operation has run for stuckAfter, then reports it once and
    // answers the queued ones: they would wait behind it for as long as it hangs.
    static void watch(State& state) {
        std::unique_lock lock(state.mutex);
        for (;;) {
            if (state.workerDone || state.abandoned) {
                return;
            }
            if (!state.current || state.stuck) {
                state.watchdog.wait(lock);
                continue;
            }
            const auto current = state.current;
            if (state.watchdog.wait_until(lock, state.started + state.stuckAfter) !=
                    std::cv_status::timeout ||
                state.current != current || state.abandoned) {
                continue;
            }
            state.stuck = true;
            const Running running{current->what, Clock::now() - state.started};
            std::deque<std::shared_ptr<Operation>> queued;
            queued.swap(state.pending);
            for (const auto& operation : queued) {
                state.byKey.erase(operation->key);
            }
            lock.unlock();
            if (state.onStuck) {
                state.onStuck(running);
            }
            cancel(state, std::move(queued), stuckError(running.what, running.elapsed).what());
            lock.lock();
        }
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

    static std::deque<std::shared_ptr<Operation>> takePending(State& state) {
        std::deque<std::shared_ptr<Operation>> taken;
        std::lock_guard lock(state.mutex);
        taken.swap(state.pending);
        for (const auto& operation : taken) {
            state.byKey.erase(operation->key);
        }
        return taken;
    }

    static void cancel(State& state, std::deque<std::shared_ptr<Operation>> operations,
                       const std::string& reason) {
        const Outcome outcome(std::in_place_index<1>, Error(ErrorKind::Busy, reason));
        for (auto& operation : operations) {
            std::vector<Completion> waiters;
            {
                std::lock_guard lock(state.mutex);
                waiters = std::move(operation->waiters);
            }
            for (auto& done : waiters) {
                done(outcome);
            }
        }
    }

    std::shared_ptr<State> state_;
    std::thread worker_;
    std::thread watchdog_;
};

} // namespace kmodd

#include "RequestQueue.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <mutex>
#include <string>
#include <vector>

using kmodd::Error;
using kmodd::ErrorKind;
using Queue = kmodd::RequestQueue<std::string>;
using namespace std::chrono_literals;

namespace {

// Long enough that no test's operation is ever taken for stuck, unless it means to be.
constexpr Queue::Clock::duration noWatchdog = std::chrono::hours(1);

void submitTo(Queue& queue, const std::string& key, Queue::Work work, Queue::Completion done) {
    queue.submit(key, "running " + key, std::move(work), std::move(done));
}

// A job that blocks until the test opens the gate, to hold the queue's thread.
class Gate {
  public:
    void open() { promise_.set_value(); }
    void wait() { future_.wait(); }

  private:
    std::promise<void> promise_;
    std::shared_future<void> future_{promise_.get_future().share()};
};

struct Collected {
    std::mutex mutex;
    std::vector<std::string> results;
    void add(const Queue::Outcome& outcome) {
        std::lock_guard lock(mutex);
        results.push_back(outcome.index() == 0
                              ? std::get<0>(outcome)
                              : std::string("error: ") + std::get<1>(outcome).what());
    }
    std::vector<std::string> get() {
        std::lock_guard lock(mutex);
        return results;
    }
};

TEST(ARequestQueue, RunsOperationsOneAtATimeInArrivalOrder) {
    Collected collected;
    std::atomic<int> running{0};
    std::atomic<int> maxRunning{0};
    std::promise<void> allDone;
    Queue queue(64, noWatchdog, {});
    for (int i = 0; i < 20; ++i) {
        submitTo(
            queue, "op" + std::to_string(i),
            [&, i] {
                maxRunning = std::max(maxRunning.load(), ++running);
                std::this_thread::sleep_for(1ms);
                --running;
                return std::to_string(i);
            },
            [&, i](const Queue::Outcome& outcome) {
                collected.add(outcome);
                if (i == 19) {
                    allDone.set_value();
                }
            });
    }
    ASSERT_EQ(allDone.get_future().wait_for(5s), std::future_status::ready);
    std::vector<std::string> expected;
    for (int i = 0; i < 20; ++i) {
        expected.push_back(std::to_string(i));
    }
    EXPECT_EQ(collected.get(), expected);
    EXPECT_EQ(maxRunning.load(), 1);
}

TEST(ARequestQueue, GivesConcurrentRequestsWithTheSameKeyOneResult) {
    Gate gate;
    std::atomic<int> runs{0};
    Collected collected;
    std::promise<void> done;
    std::atomic<int> answered{0};
    Gate started;
    Queue queue(8, noWatchdog, {});
    submitTo(
        queue, "blocker",
        [&] {
            started.open();
            gate.wait();
            return std::string("blocker");
        },
        [](const Queue::Outcome&) {});
    started.wait();
    for (int i = 0; i < 5; ++i) {
        submitTo(
            queue, "load dummy", [&] { return "run " + std::to_string(++runs); },
            [&](const Queue::Outcome& outcome) {
                collected.add(outcome);
                if (++answered == 5) {
                    done.set_value();
                }
            });
    }
    EXPECT_EQ(queue.waiting(), 1U);
    gate.open();
    ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
    EXPECT_EQ(runs.load(), 1);
    EXPECT_EQ(collected.get(), std::vector<std::string>(5, "run 1"));
}

TEST(ARequestQueue, JoinsARequestToTheRunningOperationWithTheSameKey) {
    Gate started;
    Gate release;
    std::atomic<int> runs{0};
    Collected collected;
    std::promise<void> done;
    std::atomic<int> answered{0};
    Queue queue(8, noWatchdog, {});
    auto onDone = [&](const Queue::Outcome& outcome) {
        collected.add(outcome);
        if (++answered == 2) {
            done.set_value();
        }
    };
    submitTo(
        queue, "load dummy",
        [&] {
            started.open();
            release.wait();
            return "run " + std::to_string(++runs);
        },
        onDone);
    started.wait();
    submitTo(
        queue, "load dummy", [&] { return "run " + std::to_string(++runs); }, onDone);
    release.open();
    ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
    EXPECT_EQ(collected.get(), std::vector<std::string>(2, "run 1"));
}

TEST(ARequestQueue, RefusesWithBusyWhenFull) {
    Gate gate;
    Queue queue(2, noWatchdog, {});
    std::promise<void> started;
    submitTo(
        queue, "running",
        [&] {
            started.set_value();
            gate.wait();
            return std::string();
        },
        [](const Queue::Outcome&) {});
    started.get_future().wait();
    submitTo(
        queue, "a", [] { return std::string(); }, [](const Queue::Outcome&) {});
    submitTo(
        queue, "b", [] { return std::string(); }, [](const Queue::Outcome&) {});
    try {
        submitTo(
            queue, "c", [] { return std::string(); }, [](const Queue::Outcome&) {});
        FAIL() << "a third waiting request was accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::Busy);
        EXPECT_NE(std::string(error.what()).find("2 requests waiting"), std::string::npos);
    }
    // Joining a queued operation costs no place in the queue.
    EXPECT_NO_THROW(submitTo(
        queue, "a", [] { return std::string(); }, [](const Queue::Outcome&) {}));
    gate.open();
}

TEST(ARequestQueue, CountsAnOperationAsFinishedBeforeItsWaitersHearOfIt) {
    Gate release;
    std::vector<std::uint64_t> seen; // by the waiters, on the queue's thread, in order
    std::promise<void> done;
    Queue queue(4, noWatchdog, {});
    EXPECT_EQ(queue.finished(), 0U);
    submitTo(
        queue, "first",
        [&] {
            release.wait();
            return std::string();
        },
        [&](const Queue::Outcome&) { seen.push_back(queue.finished()); });
    submitTo(
        queue, "second", []() -> std::string { throw Error(ErrorKind::InUse, "in use"); },
        [&](const Queue::Outcome&) {
            seen.push_back(queue.finished());
            done.set_value();
        });
    std::this_thread::sleep_for(10ms);
    EXPECT_EQ(queue.finished(), 0U); // the first is still running
    release.open();
    ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
    EXPECT_EQ(seen, (std::vector<std::uint64_t>{1, 2}));
    EXPECT_EQ(queue.finished(), 2U);
}

TEST(ARequestQueue, TurnsAThrownErrorIntoTheOutcome) {
    Collected collected;
    std::promise<void> done;
    Queue queue(4, noWatchdog, {});
    submitTo(
        queue, "bad",
        []() -> std::string { throw Error(ErrorKind::InUse, "cannot unload x: in use"); },
        [&](const Queue::Outcome& outcome) {
            ASSERT_EQ(outcome.index(), 1U);
            EXPECT_EQ(std::get<1>(outcome).kind(), ErrorKind::InUse);
            collected.add(outcome);
            done.set_value();
        });
    ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
    EXPECT_EQ(collected.get(), std::vector<std::string>{"error: cannot unload x: in use"});
}

TEST(ARequestQueue, FinishesTheRunningOperationAndCancelsTheRestOnStop) {
    Gate started;
    Gate release;
    Collected collected;
    Queue queue(8, noWatchdog, {});
    submitTo(
        queue, "running",
        [&] {
            started.open();
            release.wait();
            return std::string("finished");
        },
        [&](const Queue::Outcome& outcome) { collected.add(outcome); });
    submitTo(
        queue, "queued", [] { return std::string("ran"); },
        [&](const Queue::Outcome& outcome) { collected.add(outcome); });
    started.wait();
    std::thread stopper([&] { queue.stop(std::nullopt); });
    // Joining the queued operation is accepted until stop() has begun, and adds no result.
    try {
        for (;;) {
            submitTo(
                queue, "queued", [] { return std::string(); }, [](const Queue::Outcome&) {});
            std::this_thread::yield();
        }
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::Busy);
    }
    release.open();
    stopper.join();
    EXPECT_EQ(collected.get(), (std::vector<std::string>{
                                   "finished", "error: kmodd stopped before the request ran"}));
    try {
        submitTo(
            queue, "late", [] { return std::string(); }, [](const Queue::Outcome&) {});
        FAIL() << "a stopped queue accepted a request";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::Busy);
    }
}

} // namespace

namespace {

constexpr Queue::Clock::duration stuckSoon = 50ms;

// The queue of these tests calls an operation stuck after 50 ms and records the reports.
struct StuckReports {
    std::mutex mutex;
    std::vector<std::string> reports;
    std::promise<void> first;
    Queue::StuckReport recorder() {
        return [this](const Queue::Running& running) {
            std::lock_guard lock(mutex);
            reports.push_back(running.what);
            if (reports.size() == 1) {
                first.set_value();
            }
        };
    }
};

void waitUntilIdle(const Queue& queue) {
    const auto deadline = Queue::Clock::now() + 5s;
    while (queue.running() && Queue::Clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
    }
    ASSERT_FALSE(queue.running());
}

void holdTheQueue(Queue& queue, Gate& started, Gate& release, Collected& collected) {
    submitTo(
        queue, "hang",
        [&] {
            started.open();
            release.wait();
            return std::string("returned");
        },
        [&](const Queue::Outcome& outcome) { collected.add(outcome); });
    started.wait();
}

} // namespace

TEST(ARequestQueue, ReportsAnOperationThatRunsPastTheThresholdOnceNamingIt) {
    StuckReports stuck;
    Gate started;
    Gate release;
    Collected collected;
    Queue queue(8, stuckSoon, stuck.recorder());
    holdTheQueue(queue, started, release, collected);

    ASSERT_EQ(stuck.first.get_future().wait_for(5s), std::future_status::ready);
    std::this_thread::sleep_for(2 * stuckSoon);
    release.open();
    queue.stop(std::nullopt);

    EXPECT_EQ(stuck.reports, std::vector<std::string>{"running hang"});
    EXPECT_EQ(collected.get(), std::vector<std::string>{"returned"});
}

TEST(ARequestQueue, AnswersTheQueuedOnesAndNewOnesBusyNamingTheStuckOperation) {
    StuckReports stuck;
    Gate started;
    Gate release;
    Collected collected;
    Queue queue(8, stuckSoon, stuck.recorder());
    holdTheQueue(queue, started, release, collected);
    std::promise<void> queuedAnswered;
    submitTo(
        queue, "queued", [] { return std::string("ran"); },
        [&](const Queue::Outcome& outcome) {
            collected.add(outcome);
            queuedAnswered.set_value();
        });

    ASSERT_EQ(queuedAnswered.get_future().wait_for(5s), std::future_status::ready);
    try {
        submitTo(
            queue, "late", [] { return std::string(); }, [](const Queue::Outcome&) {});
        FAIL() << "a stuck queue accepted a request";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::Busy);
        EXPECT_THAT(error.what(), ::testing::HasSubstr("the kernel has been running hang for"));
    }
    EXPECT_EQ(queue.running()->what, "running hang");
    release.open();
    queue.stop(std::nullopt);

    const auto results = collected.get();
    ASSERT_EQ(results.size(), 2U);
    EXPECT_THAT(results[0], ::testing::StartsWith("error: the kernel has been running hang for"));
    EXPECT_EQ(results[1], "returned");
}

TEST(ARequestQueue, TakesRequestsAgainOnceTheStuckOperationReturns) {
    StuckReports stuck;
    Gate started;
    Gate release;
    Collected collected;
    Queue queue(8, stuckSoon, stuck.recorder());
    holdTheQueue(queue, started, release, collected);
    ASSERT_EQ(stuck.first.get_future().wait_for(5s), std::future_status::ready);
    release.open();
    waitUntilIdle(queue);

    std::promise<void> ran;
    submitTo(
        queue, "after", [] { return std::string("ran"); },
        [&](const Queue::Outcome& outcome) {
            collected.add(outcome);
            ran.set_value();
        });
    ASSERT_EQ(ran.get_future().wait_for(5s), std::future_status::ready);
    EXPECT_EQ(collected.get(), (std::vector<std::string>{"returned", "ran"}));
}

TEST(ARequestQueue, StopsWaitingForAStuckOperationAfterTheGraceAndAnswersItsWaiters) {
    Gate started;
    Gate release; // outlives the queue: the abandoned operation waits on it
    Collected collected;
    {
        Queue queue(8, noWatchdog, {});
        holdTheQueue(queue, started, release, collected);
        submitTo(
            queue, "queued", [] { return std::string("ran"); },
            [&](const Queue::Outcome& outcome) { collected.add(outcome); });

        const auto start = Queue::Clock::now();
        const auto abandoned = queue.stop(100ms);

        EXPECT_LT(Queue::Clock::now() - start, 2s);
        ASSERT_TRUE(abandoned);
        EXPECT_EQ(abandoned->what, "running hang");
    }
    EXPECT_EQ(collected.get(),
              (std::vector<std::string>{"error: kmodd stopped while the kernel was still running "
                                        "hang",
                                        "error: kmodd stopped while the kernel was still running "
                                        "hang"}));
    release.open(); // the thread returns into a queue that is gone, and must touch nothing
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(collected.get().size(), 2U);
}

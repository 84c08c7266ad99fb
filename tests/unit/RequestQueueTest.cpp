#include "RequestQueue.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <gtest/gtest.h>
#include <mutex>
#include <string>
#include <vector>

using kmodd::Error;
using kmodd::ErrorKind;
using Queue = kmodd::RequestQueue<std::string>;
using namespace std::chrono_literals;

namespace {

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
    Queue queue(64);
    for (int i = 0; i < 20; ++i) {
        queue.submit(
            "op" + std::to_string(i),
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
    Queue queue(8);
    queue.submit(
        "blocker",
        [&] {
            started.open();
            gate.wait();
            return std::string("blocker");
        },
        [](const Queue::Outcome&) {});
    started.wait();
    for (int i = 0; i < 5; ++i) {
        queue.submit(
            "load dummy", [&] { return "run " + std::to_string(++runs); },
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
    Queue queue(8);
    auto onDone = [&](const Queue::Outcome& outcome) {
        collected.add(outcome);
        if (++answered == 2) {
            done.set_value();
        }
    };
    queue.submit(
        "load dummy",
        [&] {
            started.open();
            release.wait();
            return "run " + std::to_string(++runs);
        },
        onDone);
    started.wait();
    queue.submit(
        "load dummy", [&] { return "run " + std::to_string(++runs); }, onDone);
    release.open();
    ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
    EXPECT_EQ(collected.get(), std::vector<std::string>(2, "run 1"));
}

TEST(ARequestQueue, RefusesWithBusyWhenFull) {
    Gate gate;
    Queue queue(2);
    std::promise<void> started;
    queue.submit(
        "running",
        [&] {
            started.set_value();
            gate.wait();
            return std::string();
        },
        [](const Queue::Outcome&) {});
    started.get_future().wait();
    queue.submit(
        "a", [] { return std::string(); }, [](const Queue::Outcome&) {});
    queue.submit(
        "b", [] { return std::string(); }, [](const Queue::Outcome&) {});
    try {
        queue.submit(
            "c", [] { return std::string(); }, [](const Queue::Outcome&) {});
        FAIL() << "a third waiting request was accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::Busy);
        EXPECT_NE(std::string(error.what()).find("2 requests waiting"), std::string::npos);
    }
    // Joining a queued operation costs no place in the queue.
    EXPECT_NO_THROW(queue.submit(
        "a", [] { return std::string(); }, [](const Queue::Outcome&) {}));
    gate.open();
}

TEST(ARequestQueue, CountsAnOperationAsFinishedBeforeItsWaitersHearOfIt) {
    Gate release;
    std::vector<std::uint64_t> seen; // by the waiters, on the queue's thread, in order
    std::promise<void> done;
    Queue queue(4);
    EXPECT_EQ(queue.finished(), 0U);
    queue.submit(
        "first",
        [&] {
            release.wait();
            return std::string();
        },
        [&](const Queue::Outcome&) { seen.push_back(queue.finished()); });
    queue.submit(
        "second", []() -> std::string { throw Error(ErrorKind::InUse, "in use"); },
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
    Queue queue(4);
    queue.submit(
        "bad", []() -> std::string { throw Error(ErrorKind::InUse, "cannot unload x: in use"); },
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
    Queue queue(8);
    queue.submit(
        "running",
        [&] {
            started.open();
            release.wait();
            return std::string("finished");
        },
        [&](const Queue::Outcome& outcome) { collected.add(outcome); });
    queue.submit(
        "queued", [] { return std::string("ran"); },
        [&](const Queue::Outcome& outcome) { collected.add(outcome); });
    started.wait();
    std::thread stopper([&] { queue.stop(); });
    std::this_thread::sleep_for(10ms);
    release.open();
    stopper.join();
    EXPECT_EQ(collected.get(), (std::vector<std::string>{
                                   "finished", "error: kmodd stopped before the request ran"}));
    try {
        queue.submit(
            "late", [] { return std::string(); }, [](const Queue::Outcome&) {});
        FAIL() << "a stopped queue accepted a request";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::Busy);
    }
}

} // namespace

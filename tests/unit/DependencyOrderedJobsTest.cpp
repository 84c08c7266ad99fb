#include "DependencyOrderedJobs.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <gtest/gtest.h>
#include <mutex>
#include <thread>
#include <vector>

using kmodd::runInDependencyOrder;

namespace {

// 0 and 1 independent; 2 after 0; 3 after 1 and 2; 4 independent; 5 after 4 and 0.
const std::vector<std::vector<std::size_t>> graph{{}, {}, {0}, {1, 2}, {}, {4, 0}};

TEST(JobsInDependencyOrder, RunEachOnceAfterTheJobsItWaitsFor) {
    std::mutex mutex;
    std::vector<std::size_t> order;
    runInDependencyOrder(graph, 4, [&](std::size_t job) {
        std::lock_guard lock(mutex);
        order.push_back(job);
    });
    ASSERT_EQ(order.size(), graph.size());
    for (std::size_t job = 0; job < graph.size(); ++job) {
        const auto at = std::find(order.begin(), order.end(), job);
        ASSERT_NE(at, order.end()) << "job " << job << " did not run";
        EXPECT_EQ(std::count(order.begin(), order.end(), job), 1) << "job " << job;
        for (const std::size_t earlier : graph[job]) {
            EXPECT_LT(std::find(order.begin(), order.end(), earlier), at)
                << "job " << job << " ran before job " << earlier;
        }
    }
}

TEST(JobsInDependencyOrder, RunOnTheCallingThreadInIndexOrderWithOneWorker) {
    std::vector<std::size_t> order;
    const auto caller = std::this_thread::get_id();
    runInDependencyOrder(graph, 1, [&](std::size_t job) {
        EXPECT_EQ(std::this_thread::get_id(), caller);
        order.push_back(job);
    });
    EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5}));
}

TEST(JobsInDependencyOrder, RunIndependentJobsAtTheSameTime) {
    // Job 0 finishes only once job 1 has started: with one worker at a time, it would wait in
    // vain until the deadline.
    std::promise<void> secondStarted;
    auto started = secondStarted.get_future();
    bool overlapped = false;
    runInDependencyOrder({{}, {}}, 2, [&](std::size_t job) {
        if (job == 0) {
            overlapped = started.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
        } else {
            secondStarted.set_value();
        }
    });
    EXPECT_TRUE(overlapped);
}

TEST(JobsInDependencyOrder, DoNothingWithoutJobs) {
    bool ran = false;
    runInDependencyOrder({}, 4, [&](std::size_t) { ran = true; });
    EXPECT_FALSE(ran);
}

} // namespace

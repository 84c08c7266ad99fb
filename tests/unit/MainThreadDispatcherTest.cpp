#include "MainThreadDispatcher.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <thread>

using namespace kmodd;

namespace {

class AMainThreadDispatcher : public ::testing::Test {
  protected:
    AMainThreadDispatcher() {
        sd_event* loop = nullptr;
        EXPECT_GE(sd_event_new(&loop), 0);
        event.reset(loop);
    }

    EventPtr event;
    std::shared_ptr<spdlog::logger> logger =
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
};

} // namespace

TEST_F(AMainThreadDispatcher, RunsTasksPostedFromAnotherThreadOnTheLoopsThread) {
    MainThreadDispatcher dispatcher(event.get(), logger);
    std::vector<int> ran;
    std::thread::id ranOn;

    std::thread worker([&] {
        dispatcher.post([&] { ran.push_back(1); });
        dispatcher.post([&] {
            ran.push_back(2);
            ranOn = std::this_thread::get_id();
            sd_event_exit(event.get(), 0);
        });
    });
    worker.join();
    ASSERT_GE(sd_event_loop(event.get()), 0);

    EXPECT_EQ(ran, (std::vector{1, 2}));
    EXPECT_EQ(ranOn, std::this_thread::get_id());
}

TEST_F(AMainThreadDispatcher, RunsTasksThatTasksPostWhenDrained) {
    MainThreadDispatcher dispatcher(event.get(), logger);
    int ran = 0;

    dispatcher.post([&] {
        ++ran;
        dispatcher.post([&] { ++ran; });
    });
    dispatcher.runPending();

    EXPECT_EQ(ran, 2);
}

TEST_F(AMainThreadDispatcher, KeepsRunningTasksAfterOneThrows) {
    MainThreadDispatcher dispatcher(event.get(), logger);
    bool ran = false;

    dispatcher.post([] { throw std::runtime_error("broken"); });
    dispatcher.post([&] { ran = true; });
    dispatcher.runPending();

    EXPECT_TRUE(ran);
}

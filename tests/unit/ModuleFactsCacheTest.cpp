#include "ModuleFactsCache.h"

#include "ModuleTree.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <gtest/gtest.h>
#include <mutex>
#include <optional>
#include <sys/stat.h>
#include <thread>

namespace kmodd {
namespace {

using testing::ModuleTree;
using namespace std::chrono_literals;

// The loop's side: the tasks the cache posts, run when the test says.
class PostedTasks {
  public:
    void post(std::function<void()> task) {
        std::lock_guard lock(mutex_);
        tasks_.push_back(std::move(task));
        posted_.notify_all();
    }

    // Runs posted tasks until done() holds, waiting for the readers up to 10 s.
    void runUntil(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!done()) {
            std::function<void()> task;
            {
                std::unique_lock lock(mutex_);
                if (!posted_.wait_until(lock, deadline, [&] { return !tasks_.empty(); })) {
                    FAIL() << "no answer from the cache's readers";
                }
                task = std::move(tasks_.front());
                tasks_.pop_front();
            }
            task();
        }
    }

    std::size_t waiting() {
        std::lock_guard lock(mutex_);
        return tasks_.size();
    }

  private:
    std::mutex mutex_;
    std::condition_variable posted_;
    std::deque<std::function<void()>> tasks_;
};

class AModuleFactsCache : public ::testing::Test {
  protected:
    void SetUp() override {
        tree.add({.name = "dummy", .parameters = {"numdummies:int"}, .version = "1"});
        tree.add({.name = "packed", .parameters = {"size:int"}});
        tree.compress("packed", Compression::Xz);
    }

    ModuleFactsCache& cache(std::size_t readers = ModuleFactsCache::defaultReaders,
                            std::size_t capacity = ModuleFactsCache::defaultCapacity) {
        cache_.emplace([this](std::function<void()> task) { loop.post(std::move(task)); }, readers,
                       capacity);
        return *cache_;
    }

    ModuleFile file(const std::string& name) const {
        return {ModuleName::parse(name), tree.pathOf(name)};
    }

    // Asks for the facts and runs the loop's side until they come.
    ModuleFactsCache::Outcome get(ModuleFactsCache& facts, std::vector<ModuleFile> files) {
        std::optional<ModuleFactsCache::Outcome> outcome;
        facts.get(files, {tree.trustedRoot()}, ModuleFactsCache::Priority::Normal,
                  [&](const ModuleFactsCache::Outcome& answer) { outcome = answer; });
        loop.runUntil([&] { return outcome.has_value(); });
        return *outcome;
    }

    ModuleTree tree;
    PostedTasks loop;
    std::optional<ModuleFactsCache> cache_; ///< last: its readers stop before the rest goes
};

TEST_F(AModuleFactsCache, GivesTheFactsOfEveryFileInTheOrderAsked) {
    auto& facts = cache();
    const auto outcome = get(facts, {file("packed"), file("dummy")});

    ASSERT_EQ(outcome.size(), 2U);
    ASSERT_EQ(outcome[0].index(), 0U);
    ASSERT_EQ(outcome[1].index(), 0U);
    EXPECT_EQ(std::get<0>(outcome[0])->modinfo.declaredParameters(), std::set<std::string>{"size"});
    EXPECT_EQ(std::get<0>(outcome[1])->first("version"), "1");
}

TEST_F(AModuleFactsCache, AnswersAMissThroughTheLoopAndNeverOnTheAskingCall) {
    auto& facts = cache();
    bool answered = false;
    facts.get({file("dummy")}, {tree.trustedRoot()}, ModuleFactsCache::Priority::Normal,
              [&](const ModuleFactsCache::Outcome&) { answered = true; });
    EXPECT_FALSE(answered);
    loop.runUntil([&] { return answered; });
}

TEST_F(AModuleFactsCache, AnswersFromTheCacheAtOnceWithoutReadingAgain) {
    auto& facts = cache();
    get(facts, {file("dummy")});
    bool answered = false;

    facts.get({file("dummy")}, {tree.trustedRoot()}, ModuleFactsCache::Priority::Urgent,
              [&](const ModuleFactsCache::Outcome&) { answered = true; });

    EXPECT_TRUE(answered);
    EXPECT_EQ(facts.reads(), 1U);
    EXPECT_NE(facts.cached(tree.pathOf("dummy")), nullptr);
}

TEST_F(AModuleFactsCache, ReadsAFileOnceHoweverManyAskForItAtOnce) {
    auto& facts = cache();
    int answers = 0;
    for (int i = 0; i < 50; ++i) {
        facts.get({file("packed")}, {tree.trustedRoot()}, ModuleFactsCache::Priority::Normal,
                  [&](const ModuleFactsCache::Outcome& outcome) {
                      EXPECT_EQ(outcome.at(0).index(), 0U);
                      ++answers;
                  });
    }
    loop.runUntil([&] { return answers == 50; });
    EXPECT_EQ(facts.reads(), 1U);
}

TEST_F(AModuleFactsCache, ReadsAgainAFileThatChanged) {
    auto& facts = cache();
    get(facts, {file("dummy")});
    const timespec times[2] = {{0, UTIME_OMIT}, {12345, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, tree.pathOf("dummy").c_str(), times, 0), 0);

    EXPECT_EQ(facts.cached(tree.pathOf("dummy")), nullptr);
    get(facts, {file("dummy")});
    EXPECT_EQ(facts.reads(), 2U);
}

TEST_F(AModuleFactsCache, ReadsAgainAFileWhoseModeChanged) {
    auto& facts = cache();
    get(facts, {file("dummy")});
    ::chmod(tree.pathOf("dummy").c_str(), 0666);

    const auto outcome = get(facts, {file("dummy")});

    ASSERT_EQ(outcome.at(0).index(), 1U);
    EXPECT_EQ(std::get<1>(outcome[0]).kind(), ErrorKind::Untrusted);
}

TEST_F(AModuleFactsCache, GivesAnUntrustedFileItsErrorAndTheOthersTheirFactsAndCachesNoFailure) {
    auto& facts = cache();
    ::chmod(tree.pathOf("packed").c_str(), 0666);

    const auto outcome = get(facts, {file("dummy"), file("packed")});
    ASSERT_EQ(outcome.size(), 2U);
    EXPECT_EQ(outcome[0].index(), 0U);
    EXPECT_EQ(outcome[1].index(), 1U);
    EXPECT_EQ(get(facts, {file("packed")}).at(0).index(), 1U);
    EXPECT_EQ(facts.reads(), 3U);
}

TEST_F(AModuleFactsCache, ForgetsTheOldestFilesBeyondItsCapacity) {
    auto& facts = cache(1, 1);
    get(facts, {file("dummy")});
    get(facts, {file("packed")});

    EXPECT_EQ(facts.cached(tree.pathOf("dummy")), nullptr);
    EXPECT_NE(facts.cached(tree.pathOf("packed")), nullptr);
}

TEST_F(AModuleFactsCache, AnswersReadsNotStartedWithBusyWhenStopped) {
    auto& facts = cache(0);
    std::optional<ModuleFactsCache::Outcome> outcome;
    facts.get({file("dummy")}, {tree.trustedRoot()}, ModuleFactsCache::Priority::Normal,
              [&](const ModuleFactsCache::Outcome& answer) { outcome = answer; });

    facts.stop();
    loop.runUntil([&] { return outcome.has_value(); });

    ASSERT_EQ(outcome->at(0).index(), 1U);
    EXPECT_EQ(std::get<1>(outcome->at(0)).kind(), ErrorKind::Busy);
    EXPECT_EQ(facts.reads(), 0U);
}

TEST_F(AModuleFactsCache, AnswersBusyOnceStopped) {
    auto& facts = cache();
    facts.stop();
    std::optional<ModuleFactsCache::Outcome> outcome;
    facts.get({file("dummy")}, {tree.trustedRoot()}, ModuleFactsCache::Priority::Normal,
              [&](const ModuleFactsCache::Outcome& answer) { outcome = answer; });

    ASSERT_TRUE(outcome.has_value());
    EXPECT_EQ(outcome->at(0).index(), 1U);
}

} // namespace
} // namespace kmodd

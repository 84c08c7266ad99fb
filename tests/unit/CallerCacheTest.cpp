#include "Caller.h"
#include "Error.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace kmodd {
namespace {

// A lookUp that counts how often the bus would have been asked.
struct CountingLookUp {
    int calls = 0;

    std::function<Caller()> forCaller(const std::string& busName, uid_t uid) {
        return [this, busName, uid] {
            ++calls;
            return Caller{busName, uid, ::getpid(), ""};
        };
    }
};

TEST(ACallerCache, AsksTheBusOnlyTheFirstTimeASenderCalls) {
    CallerCache cache;
    CountingLookUp lookUp;

    const Caller first = cache.identify(":1.7", lookUp.forCaller(":1.7", 1000));
    const Caller second = cache.identify(":1.7", lookUp.forCaller(":1.7", 1000));

    EXPECT_EQ(lookUp.calls, 1);
    EXPECT_EQ(second.busName, ":1.7");
    EXPECT_EQ(second.uid, 1000u);
    EXPECT_EQ(second.pid, first.pid);
}

TEST(ACallerCache, KeepsEachSenderToItsOwnCredentials) {
    CallerCache cache;
    CountingLookUp lookUp;

    cache.identify(":1.7", lookUp.forCaller(":1.7", 1000));
    cache.identify(":1.8", lookUp.forCaller(":1.8", 0));

    EXPECT_EQ(cache.identify(":1.7", lookUp.forCaller(":1.7", 1000)).uid, 1000u);
    EXPECT_EQ(cache.identify(":1.8", lookUp.forCaller(":1.8", 0)).uid, 0u);
    EXPECT_EQ(lookUp.calls, 2);
}

TEST(ACallerCache, ForgetsTheOldestSenderBeyondItsCapacity) {
    CallerCache cache(2);
    CountingLookUp lookUp;

    cache.identify(":1.1", lookUp.forCaller(":1.1", 1));
    cache.identify(":1.2", lookUp.forCaller(":1.2", 2));
    cache.identify(":1.3", lookUp.forCaller(":1.3", 3));
    cache.identify(":1.3", lookUp.forCaller(":1.3", 3));
    cache.identify(":1.2", lookUp.forCaller(":1.2", 2));
    EXPECT_EQ(lookUp.calls, 3);

    cache.identify(":1.1", lookUp.forCaller(":1.1", 1));
    EXPECT_EQ(lookUp.calls, 4);
}

TEST(ACallerCache, RemembersNothingWhenTheBusCannotTellWhoCalled) {
    CallerCache cache;
    int calls = 0;
    const auto gone = [&]() -> Caller {
        ++calls;
        throw Error(ErrorKind::Failed, "cannot identify the caller :1.9: it disconnected");
    };

    EXPECT_THROW(cache.identify(":1.9", gone), Error);
    EXPECT_THROW(cache.identify(":1.9", gone), Error);
    EXPECT_EQ(calls, 2);
}

} // namespace
} // namespace kmodd

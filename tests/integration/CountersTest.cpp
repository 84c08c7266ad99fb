#include "ServiceTest.h"
#include "WaitUntil.h"

#include <csignal>
#include <gmock/gmock.h>

namespace kmodd::testing {
namespace {

using Counts = std::map<std::string, std::uint64_t>;
using ::testing::HasSubstr;

class TheManagersCounters : public ServiceTest {
  protected:
    std::uint64_t count(const std::string& property) {
        const sdbus::Variant value = manager().getProperty(property).onInterface(managerInterface);
        return value.get<std::uint64_t>();
    }

    Counts refusals() {
        const sdbus::Variant value =
            manager().getProperty("RefusalCounts").onInterface(managerInterface);
        return value.get<Counts>();
    }
};

TEST_F(TheManagersCounters, StartAtZero) {
    EXPECT_EQ(count("LoadCount"), 0u);
    EXPECT_EQ(count("UnloadCount"), 0u);
    EXPECT_EQ(refusals(), Counts{});
}

TEST_F(TheManagersCounters, CountLoadsUnloadsAndRefusalsByError) {
    ASSERT_EQ(kmodctl({"load", "bridge"}).exitCode, exitCode::success); // stp comes with it
    ASSERT_EQ(kmodctl({"load", "bridge"}).exitCode, exitCode::success); // already loaded
    ASSERT_EQ(kmodctl({"unload", "--keep-dependencies", "bridge"}).exitCode, exitCode::success);
    ASSERT_EQ(kmodctl({"load", "floppy"}).exitCode, exitCode::notAllowed);
    ASSERT_EQ(kmodctl({"load", "pcspkr"}).exitCode, exitCode::notAllowed);
    ASSERT_EQ(kmodctl({"load", "nosuchmodule"}).exitCode, exitCode::notFound);
    ASSERT_EQ(kmodctl({"--no-ask-password", "unload", "stp"}, accounts::nobody).exitCode,
              exitCode::notAllowed);
    ASSERT_EQ(kmodctl({"load", "tampered"}).exitCode, exitCode::failed);
    writeConfig("allow: [dummy]\nunknown_key: 1\n");
    ASSERT_EQ(kmodctl({"reload"}).exitCode, exitCode::failed);

    EXPECT_EQ(count("LoadCount"), 1u);
    EXPECT_EQ(count("UnloadCount"), 1u);
    EXPECT_EQ(refusals(), (Counts{{wire::error::configInvalid, 1},
                                  {wire::error::notAllowed, 2},
                                  {wire::error::notAuthorized, 1},
                                  {wire::error::notFound, 1},
                                  {wire::error::untrusted, 1}}));
    const auto busctlRead = busctl(
        {"get-property", busName, managerPath, managerInterface, "LoadCount", "RefusalCounts"});
    EXPECT_EQ(busctlRead.out, "t 1\na{st} 5 \"ConfigInvalid\" 1 \"NotAllowed\" 2 "
                              "\"NotAuthorized\" 1 \"NotFound\" 1 \"Untrusted\" 1\n")
        << busctlRead.describe();
}

// kmodd asks the bus who sent a call when it takes the call up; a client that has left by then
// cannot be identified. Stopping kmodd makes that certain: the call waits in its socket.
TEST_F(TheManagersCounters, CountAndLogARequestWhoseCallerLeftBeforeItWasIdentified) {
    const pid_t kmodd = pidOf(busName);
    ::kill(kmodd, SIGSTOP);
    std::string sender;
    {
        const auto connection = sdbus::createSystemBusConnection();
        sender = connection->getUniqueName();
        sdbus::createProxy(*connection, busName, managerPath)
            ->callMethod("Load")
            .onInterface(managerInterface)
            .withArguments("dummy", std::map<std::string, std::string>{}, std::uint64_t{0})
            .dontExpectReply();
    } // flushed, then disconnected
    const auto senderGone = [&] {
        return busctl({"call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                       "org.freedesktop.DBus", "NameHasOwner", "s", sender})
                   .out == "b false\n";
    };
    EXPECT_NO_THROW(waitUntil(senderGone, sender + " to leave the bus"));
    ::kill(kmodd, SIGCONT);

    // kmodd answers calls in order: this Get comes after the Load.
    EXPECT_EQ(refusals(), (Counts{{wire::error::failed, 1}}));
    EXPECT_EQ(count("LoadCount"), 0u);
    EXPECT_FALSE(isLoaded("dummy"));
    EXPECT_THAT(daemonLog(),
                HasSubstr("Could not load 'dummy': cannot identify the caller " + sender + ": "));
    EXPECT_THAT(daemonLog(), HasSubstr("; requested by bus name " + sender + "\n"));
}

} // namespace
} // namespace kmodd::testing

#include "ServiceTest.h"
#include "WaitUntil.h"

#include <atomic>
#include <deque>

namespace kmodd::testing {
namespace {

using namespace std::chrono_literals;

class ManyClients : public ServiceTest {
  protected:
    // Every kernel call takes a while, so that requests pile up behind each other.
    DaemonOptions daemonOptions() const override {
        return {.environment = {"KMODD_FAKE_DELAY_MS=20"}};
    }
};

class ASlowModuleInit : public ServiceTest {
  protected:
    DaemonOptions daemonOptions() const override {
        return {.environment = {"KMODD_FAKE_DELAY_MS=1500"}};
    }
};

TEST_F(ManyClients, FiftyAtOnceAreAllAnswered) {
    const std::vector<std::vector<std::string>> requests{
        {"load", "dummy"}, {"load", "veth"},   {"list"},
        {"status", "ifb"}, {"load", "bridge"}, {"list", "--json"},
    };
    std::deque<Subprocess> clients;
    for (std::size_t i = 0; i < 50; ++i) {
        std::vector<std::string> argv{KMODCTL};
        const auto& request = requests[i % requests.size()];
        argv.insert(argv.end(), request.begin(), request.end());
        clients.emplace_back(argv);
    }

    for (auto& client : clients) {
        const auto outcome = client.wait(30s);
        EXPECT_EQ(outcome.exitCode, exitCode::success)
            << client.commandLine() << ": " << outcome.describe();
    }
    for (const char* module : {"dummy", "veth", "bridge", "stp"}) {
        EXPECT_TRUE(isLoaded(module)) << module;
    }
}

TEST_F(ASlowModuleInit, DoesNotHoldUpListing) {
    std::atomic<bool> loadAnswered = false;
    auto connection = sdbus::createSystemBusConnection();
    connection->enterEventLoopAsync();
    auto proxy = sdbus::createProxy(*connection, busName, managerPath);
    const auto start = std::chrono::steady_clock::now();

    // Sent before the listing on the same connection, so kmodd receives it first.
    proxy->callMethodAsync("Load")
        .onInterface(managerInterface)
        .withArguments("dummy", std::map<std::string, std::string>{}, std::uint64_t{0})
        .uponReplyInvoke([&](const sdbus::Error*, const std::string&, const std::string&,
                             const std::vector<std::string>&) { loadAnswered = true; });
    std::vector<sdbus::Struct<std::string, std::string, std::uint32_t, std::vector<std::string>>>
        listed;
    proxy->callMethod("ListModules").onInterface(managerInterface).storeResultsTo(listed);
    const auto listing = std::chrono::steady_clock::now() - start;
    waitUntil([&] { return loadAnswered.load(); }, "the slow load to finish");
    const auto loading = std::chrono::steady_clock::now() - start;
    connection->leaveEventLoop();

    EXPECT_GE(loading, 1500ms);
    EXPECT_LT(listing, 1000ms) << "ListModules waited for the load";
}

} // namespace
} // namespace kmodd::testing

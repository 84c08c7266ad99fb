// What an unprivileged local user can do to kmodd on purpose (issue 13): floods of parameters
// and of requests, config files it could write, root-only sysfs values, forged log lines and
// terminal escapes. Each test measures that root is still served meanwhile, with a generous
// bound ("answered, no error"), never a timing target (those are in bench/).
#include "RequestLimits.h"
#include "ServiceTest.h"
#include "TextFile.h"
#include "WaitUntil.h"
#include "WireNames.h"

#include <atomic>
#include <csignal>
#include <deque>
#include <gmock/gmock.h>
#include <list>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

namespace kmodd::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;
using ModuleList =
    std::vector<sdbus::Struct<std::string, std::string, std::uint32_t, std::vector<std::string>>>;

// Generous: a loaded CI machine still answers a listing in far less.
constexpr auto rootAnswersWithin = 2s;

std::vector<std::string> busctlLoad(const std::string& module, std::uint64_t flags) {
    return {"busctl",         "--system", "--timeout=120", "call", busName, managerPath,
            managerInterface, "Load",     "sa{ss}t",       module, "0",     std::to_string(flags)};
}

std::size_t countOf(const std::string& text, const std::string& what) {
    std::size_t count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++count;
    }
    return count;
}

/// Waits until count of the clients have finished, and takes them out of clients with their
/// outcomes; the rest keep running.
std::vector<Outcome> collectAnswers(std::list<Subprocess>& clients, std::size_t count,
                                    const char* what) {
    std::vector<Outcome> answered;
    waitUntil(
        [&] {
            for (auto client = clients.begin(); client != clients.end();) {
                if (client->running()) {
                    ++client;
                    continue;
                }
                answered.push_back(client->wait(1s));
                client = clients.erase(client);
            }
            return answered.size() >= count;
        },
        what);
    return answered;
}

class AHostileUser : public ServiceTest {
  protected:
    /// How long root's ListModules takes now; fails the test if it errs.
    Clock::duration timeRootsListing() {
        const auto start = Clock::now();
        ModuleList listed;
        manager().callMethod("ListModules").onInterface(managerInterface).storeResultsTo(listed);
        return Clock::now() - start;
    }

    /// Root loads and unloads veth and lists meanwhile, each answered without error in time.
    void expectRootServed() {
        EXPECT_LT(timeRootsListing(), rootAnswersWithin);
        const auto load = kmodctl({"load", "veth"});
        EXPECT_EQ(load.exitCode, exitCode::success) << load.describe();
        const auto unload = kmodctl({"unload", "veth"});
        EXPECT_EQ(unload.exitCode, exitCode::success) << unload.describe();
    }
};

TEST_F(AHostileUser, SendingFortyThousandParametersIsRefusedAtOnceWhileRootListsModules) {
    auto connection = sdbus::createSystemBusConnection();
    connection->enterEventLoopAsync();
    auto proxy = sdbus::createProxy(*connection, busName, managerPath);
    std::map<std::string, std::string> flood;
    for (int i = 0; i < 40000; ++i) {
        flood.emplace("p" + std::to_string(i), "1");
    }
    std::atomic<bool> answered = false;
    std::string error;
    const auto start = Clock::now();
    proxy->callMethodAsync("Load")
        .onInterface(managerInterface)
        .withArguments("dummy", flood, std::uint64_t{0})
        .uponReplyInvoke([&](const sdbus::Error* failure, const std::string&, const std::string&,
                             const std::vector<std::string>&) {
            error = failure ? failure->getName() + ": " + failure->getMessage() : "none";
            answered = true;
        });
    Clock::duration slowestListing{};
    while (!answered && Clock::now() - start < 20s) {
        slowestListing = std::max(slowestListing, timeRootsListing());
    }
    const auto refusal = Clock::now() - start;
    connection->leaveEventLoop();

    ASSERT_TRUE(answered) << "the flood was not answered in 20 s";
    EXPECT_THAT(error, HasSubstr(kmodd::wire::error::busName(kmodd::wire::error::invalidArgument)));
    EXPECT_THAT(error, HasSubstr("more than " + std::to_string(requestLimit::parameters) +
                                 " parameters; at most " +
                                 std::to_string(requestLimit::parameters) + " are accepted"));
    EXPECT_LT(refusal, 5s);
    EXPECT_LT(slowestListing, rootAnswersWithin);
    EXPECT_FALSE(isLoaded("dummy"));
    RecordProperty(
        "refusedAfterMs",
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(refusal).count()));
}

TEST_F(AHostileUser, BeyondSixteenRequestsInFlightIsToldBusyWhileRootIsServed) {
    // polkitd stopped (not gone): every check of nobody's waits, as for a slow password prompt.
    const pid_t polkitd = pidOf("org.freedesktop.PolicyKit1");
    ASSERT_EQ(::kill(polkitd, SIGSTOP), 0);
    std::list<Subprocess> burst;
    const std::size_t sent = requestLimit::requestsPerUid + 8;
    for (std::size_t i = 0; i < sent; ++i) {
        burst.emplace_back(busctlLoad("dummy", 1), SpawnOptions{.user = accounts::nobody});
    }
    // The ones beyond the limit are answered without polkit, at once.
    const auto busy = collectAnswers(burst, sent - requestLimit::requestsPerUid,
                                     "the requests beyond the limit to be answered");

    expectRootServed();
    ASSERT_EQ(::kill(polkitd, SIGCONT), 0);
    for (auto& client : burst) {
        const auto outcome = client.wait(60s);
        EXPECT_THAT(outcome.err, Not(HasSubstr("Busy"))) << outcome.describe();
    }

    EXPECT_EQ(busy.size(), sent - requestLimit::requestsPerUid);
    for (const auto& outcome : busy) {
        EXPECT_THAT(outcome.err, HasSubstr("uid 65534 already has 16 requests in flight"))
            << outcome.describe();
    }
    EXPECT_FALSE(isLoaded("dummy"));
    // Answered, each request gave its place back.
    const auto again = run(busctlLoad("dummy", 0), {.user = accounts::nobody});
    EXPECT_THAT(again.err, Not(HasSubstr("in flight"))) << again.describe();
}

TEST_F(AHostileUser, BeyondSixtyFourPendingPolkitChecksIsToldBusyWhileRootIsServed) {
    // Five users that no rule allows (base-passwd's daemon, bin, sys and lp: the bus drops a
    // uid it cannot look up), each with as many requests in flight as a uid may have: together
    // 16 more than the checks kmodd lets wait for polkit (stopped, not gone).
    const std::vector<Credentials> users{accounts::nobody, {1, 1}, {2, 2}, {3, 3}, {7, 7}};
    static_assert(5 * requestLimit::requestsPerUid > requestLimit::pendingAuthorizations);
    const std::size_t sent = users.size() * requestLimit::requestsPerUid;
    const pid_t polkitd = pidOf("org.freedesktop.PolicyKit1");
    ASSERT_EQ(::kill(polkitd, SIGSTOP), 0);
    std::list<Subprocess> burst;
    for (const Credentials& user : users) {
        for (std::size_t i = 0; i < requestLimit::requestsPerUid; ++i) {
            burst.emplace_back(busctlLoad("dummy", 0), SpawnOptions{.user = user});
        }
    }
    const auto busy =
        collectAnswers(burst, sent - requestLimit::pendingAuthorizations,
                       "the requests beyond the pending polkit checks to be answered");

    expectRootServed();
    ASSERT_EQ(::kill(polkitd, SIGCONT), 0);
    for (auto& client : burst) {
        const auto outcome = client.wait(60s);
        EXPECT_THAT(outcome.err, Not(HasSubstr("Busy"))) << outcome.describe();
    }

    EXPECT_EQ(busy.size(), sent - requestLimit::pendingAuthorizations);
    for (const auto& outcome : busy) {
        EXPECT_THAT(outcome.err,
                    HasSubstr("kmodd is already waiting for polkit on " +
                              std::to_string(requestLimit::pendingAuthorizations) + " requests"))
            << outcome.describe();
    }
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(AHostileUser, VanishingWithRequestsPendingFreesTheirPlaces) {
    const pid_t polkitd = pidOf("org.freedesktop.PolicyKit1");
    ASSERT_EQ(::kill(polkitd, SIGSTOP), 0);
    {
        std::deque<Subprocess> burst;
        for (std::size_t i = 0; i < requestLimit::requestsPerUid; ++i) {
            burst.emplace_back(busctlLoad("dummy", 1), SpawnOptions{.user = accounts::nobody});
        }
        std::this_thread::sleep_for(500ms); // sent, and waiting for polkit
    }                                       // killed: their calls are abandoned
    expectRootServed();
    ASSERT_EQ(::kill(polkitd, SIGCONT), 0);

    // polkit's answers to the abandoned checks give the places back.
    waitUntil(
        [&] {
            const auto outcome = run(busctlLoad("dummy", 0), {.user = accounts::nobody});
            return outcome.err.find("in flight") == std::string::npos;
        },
        "nobody's places to be given back");
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(AHostileUser, FloodingRefusalsGetsOnlyTheFirstOnesLoggedAndRootsStillAre) {
    Subprocess flood({"sh", "-c",
                      "for i in $(seq 100); do " + busctlManagerCall() +
                          "Load 'sa{ss}t' floppy 0 0 2>/dev/null; done"},
                     {.user = accounts::nobody});
    flood.wait(60s);
    EXPECT_EQ(kmodctl({"load", "pcspkr"}).exitCode, exitCode::notAllowed);

    const std::string log = daemonLog();
    EXPECT_EQ(countOf(log, "Refused to load 'floppy'"), 20U) << log;
    EXPECT_EQ(countOf(log, "Refused to load 'pcspkr'"), 1U) << log;
    auto counts = manager()
                      .getProperty("RefusalCounts")
                      .onInterface(managerInterface)
                      .get<std::map<std::string, std::uint64_t>>();
    EXPECT_EQ(counts[wire::error::notAllowed], 101U) << "every refusal is still counted";
}

TEST_F(AHostileUser, ThatFloodedIsSummedUpWhenItsNextRefusalIsLogged) {
    Subprocess flood({"sh", "-c",
                      "for i in $(seq 30); do " + busctlManagerCall() +
                          "Load 'sa{ss}t' floppy 0 0 2>/dev/null; done"},
                     {.user = accounts::nobody});
    flood.wait(60s);
    std::this_thread::sleep_for(10s); // the rate limit's interval
    run(busctlLoad("floppy", 0), {.user = accounts::nobody});

    EXPECT_THAT(daemonLog(), HasSubstr("10 more refusals from uid 65534 suppressed"));
}

TEST_F(AHostileUser, CannotWidenThePolicyWithADropInOthersMayWrite) {
    const auto dropIn = writeDropIn("50-nobody.yaml", "allow: [\"*\"]\n", fs::perms(0666));

    const auto reload = kmodctl({"reload"});

    EXPECT_EQ(reload.exitCode, exitCode::failed) << reload.describe();
    EXPECT_THAT(reload.err, HasSubstr(dropIn.string() + ": not trusted: the file is writable by "
                                                        "others (mode 0666)"));
    EXPECT_EQ(kmodctl({"load", "pcspkr"}).exitCode, exitCode::notAllowed) << "the old config";
}

TEST_F(AHostileUser, CannotWidenThePolicyWithADropInItOwns) {
    const auto dropIn = writeDropIn("50-nobody.yaml", "allow: [\"*\"]\n");
    ASSERT_EQ(::chown(dropIn.c_str(), accounts::nobody.uid, accounts::nobody.gid), 0);

    const auto reload = kmodctl({"reload"});

    EXPECT_EQ(reload.exitCode, exitCode::failed) << reload.describe();
    EXPECT_THAT(reload.err,
                HasSubstr(dropIn.string() + ": not trusted: the file is owned by uid 65534"));
    EXPECT_EQ(kmodctl({"load", "pcspkr"}).exitCode, exitCode::notAllowed) << "the old config";
}

TEST_F(AHostileUser, CannotForgeALogLineWithANewlineInAName) {
    const std::string forged = "kmodd: info: Loaded evil; requested by uid 0";
    EXPECT_EQ(errorNameOf([&] {
                  manager()
                      .callMethod("Load")
                      .onInterface(managerInterface)
                      .withArguments("dummy\n" + forged, std::map<std::string, std::string>{},
                                     std::uint64_t{0});
              }),
              kmodd::wire::error::busName(kmodd::wire::error::invalidArgument));
    EXPECT_EQ(errorNameOf([&] {
                  manager()
                      .callMethod("Load")
                      .onInterface(managerInterface)
                      .withArguments("dummy",
                                     std::map<std::string, std::string>{{"x\n" + forged, "1"}},
                                     std::uint64_t{0});
              }),
              kmodd::wire::error::busName(kmodd::wire::error::invalidArgument));

    std::istringstream log(daemonLog());
    for (std::string line; std::getline(log, line);) {
        EXPECT_FALSE(line.starts_with(forged)) << daemonLog();
    }
    EXPECT_THAT(daemonLog(), HasSubstr("dummy\\n" + forged));
}

TEST_F(AHostileUser, SeesNoEscapeSequenceOfAModuleFileOnItsTerminal) {
    const auto status = kmodctl({"status", "escseq"}, accounts::nobody);

    ASSERT_EQ(status.exitCode, exitCode::success) << status.describe();
    EXPECT_THAT(status.out, Not(HasSubstr("\x1b"))) << status.out;
    EXPECT_THAT(status.out, HasSubstr("Version: 1.0\\x1b]0;owned\\x07\\n    Signer: forged\n"));
    const auto json = kmodctl({"status", "escseq", "--json"}, accounts::nobody);
    EXPECT_THAT(json.out, HasSubstr(R"("version":"1.0\u001b]0;owned\u0007\n    Signer: forged")"));
}

class ARootOnlyParameter : public AHostileUser {
  protected:
    DaemonOptions daemonOptions() const override {
        return {.environment = {"KMODD_FAKE_ROOT_ONLY_PARAMETERS=dummy.numdummies"}};
    }
};

TEST_F(ARootOnlyParameter, IsListedWithoutItsValue) {
    ASSERT_EQ(kmodctl({"load", "dummy", "numdummies=7"}).exitCode, exitCode::success);

    const auto status = kmodctl({"status", "dummy"}, accounts::nobody);
    ASSERT_EQ(status.exitCode, exitCode::success) << status.describe();
    EXPECT_THAT(status.out, HasSubstr("Parameters: numdummies (value readable by root only)\n"));
    EXPECT_THAT(status.out, Not(HasSubstr("numdummies=")));
    const auto property = busctl({"get-property", busName, "/org/kmodd/Manager1/module/dummy",
                                  moduleInterface, "Parameters", "RestrictedParameters"},
                                 accounts::nobody);
    EXPECT_EQ(property.out, "a{ss} 0\nas 1 \"numdummies\"\n") << property.describe();
}

// dummy's init never returns, as a module waiting forever for hardware.
class AHungModuleInit : public AHostileUser {
  protected:
    DaemonOptions daemonOptions() const override {
        return {.environment = {"KMODD_FAKE_HANG=finit:dummy"}};
    }

    /// Sends root's load of dummy, which hangs; returns once the kernel is busy with it.
    void startTheHungLoad() {
        connection_ = sdbus::createSystemBusConnection();
        connection_->enterEventLoopAsync();
        proxy_ = sdbus::createProxy(*connection_, busName, managerPath);
        proxy_->callMethodAsync("Load")
            .onInterface(managerInterface)
            .withArguments("dummy", std::map<std::string, std::string>{}, std::uint64_t{0})
            .uponReplyInvoke([this](const sdbus::Error* failure, const std::string&,
                                    const std::string&, const std::vector<std::string>&) {
                std::lock_guard lock(mutex_);
                hungLoadAnswer_ = failure ? failure->getName() + ": " + failure->getMessage()
                                          : std::string("none");
            });
        waitUntil([&] { return kernelOperation().starts_with("loading dummy for "); },
                  "the kernel to be busy loading dummy");
    }

    std::string kernelOperation() {
        return manager()
            .getProperty("KernelOperation")
            .onInterface(managerInterface)
            .get<std::string>();
    }

    std::optional<std::string> hungLoadAnswer() {
        std::lock_guard lock(mutex_);
        return hungLoadAnswer_;
    }

    // The client's loop goes first: it must not see the bus go away under it.
    void TearDown() override {
        if (connection_) {
            connection_->leaveEventLoop();
        }
        AHostileUser::TearDown();
    }

  private:
    std::unique_ptr<sdbus::IConnection> connection_;
    std::unique_ptr<sdbus::IProxy> proxy_;
    std::mutex mutex_;
    std::optional<std::string> hungLoadAnswer_;
};

TEST_F(AHungModuleInit, IsJournaledAndMakesOtherLoadsBusyNamingItWhileRootStillLists) {
    startTheHungLoad();
    waitUntil(
        [&] {
            return daemonLog().find("The kernel has been loading dummy for") != std::string::npos;
        },
        "the hung load to be reported", 30s);

    const auto start = Clock::now();
    const auto load = kmodctl({"load", "veth"});
    EXPECT_LT(Clock::now() - start, 5s) << "the load waited behind the hung one";
    EXPECT_EQ(load.exitCode, exitCode::failed) << load.describe();
    EXPECT_THAT(load.err, HasSubstr("the kernel has been loading dummy for"));
    EXPECT_LT(timeRootsListing(), rootAnswersWithin);
    EXPECT_THAT(kernelOperation(), ::testing::MatchesRegex("loading dummy for [0-9]+ s"));
    EXPECT_FALSE(hungLoadAnswer()) << "the hung load itself still waits for the kernel";
}

TEST_F(AHungModuleInit, DoesNotKeepSigtermFromEndingKmoddAndIsNamedInTheLog) {
    startTheHungLoad();
    const auto start = Clock::now();
    ::kill(pidOf(busName), SIGTERM);

    const auto exit = waitForDaemonExit(20s);
    EXPECT_LT(Clock::now() - start, 15s);
    EXPECT_EQ(exit.exitCode, 0) << daemonLog();
    EXPECT_THAT(daemonLog(), HasSubstr("exiting although the kernel has been loading dummy for"));
    waitUntil([&] { return hungLoadAnswer().has_value(); }, "the hung load to be answered");
    EXPECT_THAT(*hungLoadAnswer(),
                HasSubstr(kmodd::wire::error::busName(kmodd::wire::error::busy)));
}

} // namespace
} // namespace kmodd::testing

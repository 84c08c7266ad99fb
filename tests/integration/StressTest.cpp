// Thousands of mixed requests from many clients at once, valid and invalid, some clients gone
// before their answer, against a fake kernel that is slow and fails some of its calls.
#include "KernelStateFile.h"
#include "ProgramCopy.h"
#include "ServiceTest.h"
#include "WaitUntil.h"
#include "WireNames.h"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <functional>
#include <random>
#include <thread>

namespace kmodd::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Parameters = std::map<std::string, std::string>;

constexpr std::size_t clientCount = 32;
constexpr std::size_t warmUpCallsPerClient = 60;
constexpr std::size_t callsPerClient = 240;
constexpr unsigned abandonOneIn = 16;
constexpr std::size_t killedKmodctlCount = 24;
// Far beyond any answer under this load: a call still unanswered then hangs.
constexpr auto callDeadline = 10s;
// What kmodd may gain after the warm-up round, for four times as many requests: allocator
// slack, far less than any per-request leak would take.
constexpr long memoryGrowthLimitKiB = 512;

struct Request {
    std::string description;
    std::function<sdbus::MethodCall(sdbus::IProxy&)> message;
    bool maySucceed;
    /// The errors it may get instead, without "org.kmodd.Error.".
    std::vector<std::string> errors{};
};

sdbus::MethodCall methodCall(sdbus::IProxy& proxy, const std::string& method) {
    return proxy.createMethodCall(managerInterface, method);
}

Request load(const std::string& name, bool maySucceed, std::vector<std::string> errors,
             const Parameters& parameters = {}, std::uint64_t flags = 0) {
    std::string description = "Load " + name.substr(0, 32);
    for (const auto& [parameter, value] : parameters) {
        description += " " + parameter + "=" + value;
    }
    if (flags != 0) {
        description += " flags " + std::to_string(flags);
    }
    return {description,
            [=](sdbus::IProxy& proxy) {
                auto call = methodCall(proxy, "Load");
                call << name << parameters << flags;
                return call;
            },
            maySucceed, std::move(errors)};
}

Request unload(const std::string& name, bool maySucceed, std::vector<std::string> errors) {
    return {"Unload " + name,
            [=](sdbus::IProxy& proxy) {
                auto call = methodCall(proxy, "Unload");
                call << name << std::uint64_t{0};
                return call;
            },
            maySucceed, std::move(errors)};
}

Request status(const std::string& name, bool maySucceed, std::vector<std::string> errors) {
    return {"GetModule " + name,
            [=](sdbus::IProxy& proxy) {
                auto call = methodCall(proxy, "GetModule");
                call << name;
                return call;
            },
            maySucceed, std::move(errors)};
}

// The fake kernel fails a share of its calls with ENOMEM: Failed for a load, KernelRejected
// for an unload. Every other error is the request's own fault, or a state another client left.
std::vector<Request> requestMix() {
    std::vector<Request> mix;
    for (const char* module :
         {"dummy", "veth", "ifb", "rtnl-link-ifb", "bridge", "stp", "zram", "snd-dummy"}) {
        mix.push_back(load(module, true, {wire::error::failed}));
        mix.push_back(
            unload(module, true,
                   {wire::error::notFound, wire::error::inUse, wire::error::kernelRejected}));
    }
    mix.push_back(load("dummy", true, {wire::error::failed}, {{"numdummies", "4"}}));
    // Nothing to do for a loaded module, so nothing to check either (as modprobe).
    mix.push_back(load("dummy", true, {wire::error::invalidParameter}, {{"nosuchparameter", "1"}}));
    mix.push_back({"ListModules",
                   [](sdbus::IProxy& proxy) { return methodCall(proxy, "ListModules"); }, true});
    mix.push_back({"Reload",
                   [](sdbus::IProxy& proxy) {
                       auto call = methodCall(proxy, "Reload");
                       call << std::uint64_t{0};
                       return call;
                   },
                   true});
    mix.push_back(status("dummy", true, {}));
    mix.push_back(status("bridge", true, {}));
    mix.push_back(status("nosuchmodule", false, {wire::error::notFound}));
    mix.push_back(load("floppy", false, {wire::error::notAllowed}));
    mix.push_back(load("pcspkr", false, {wire::error::notAllowed}));
    mix.push_back(load("nosuchmodule", false, {wire::error::notFound}));
    mix.push_back(load("../../dummy", false, {wire::error::invalidArgument}));
    mix.push_back(load("", false, {wire::error::invalidArgument}));
    mix.push_back(load(std::string(65536, 'a'), false, {wire::error::invalidArgument}));
    mix.push_back(load("dummy", false, {wire::error::invalidArgument}, {}, std::uint64_t{1} << 40));
    mix.push_back(unload("ext4", false, {wire::error::notFound}));
    mix.push_back(unload("floppy", false, {wire::error::notFound}));
    return mix;
}

/// What one client saw.
struct Tally {
    std::size_t answered = 0;
    std::size_t abandoned = 0;
    std::map<std::string, std::size_t> errors; ///< by D-Bus error name
    std::vector<std::string> problems;         ///< answers that break the contract, or none

    void merge(const Tally& other) {
        answered += other.answered;
        abandoned += other.abandoned;
        for (const auto& [name, count] : other.errors) {
            errors[name] += count;
        }
        problems.insert(problems.end(), other.problems.begin(), other.problems.end());
    }
};

// The error name of a call, "" when it succeeded.
std::string callAndWait(sdbus::IProxy& proxy, const Request& request) {
    try {
        proxy.callMethod(request.message(proxy), callDeadline);
        return "";
    } catch (const sdbus::Error& error) {
        return error.getName();
    }
}

void check(const Request& request, const std::string& error, Tally& tally) {
    ++tally.answered;
    if (!error.empty()) {
        ++tally.errors[error];
    }
    constexpr std::string_view prefix = kmodd::wire::error::prefix;
    std::string problem;
    if (error.empty() && !request.maySucceed) {
        problem = "succeeded";
    } else if (!error.empty() && !error.starts_with(prefix)) {
        problem = "no answer from kmodd but " + error;
    } else if (!error.empty() && std::find(request.errors.begin(), request.errors.end(),
                                           error.substr(prefix.size())) == request.errors.end()) {
        problem = "failed with " + error;
    }
    if (!problem.empty()) {
        tally.problems.push_back(request.description + ": " + problem);
    }
}

// Sends the call on a connection of its own, which closes within 30 ms whether answered or not:
// before kmodd has read the call, while the request waits for the kernel, or after.
void abandon(const Request& request, std::minstd_rand& random) {
    auto connection = sdbus::createSystemBusConnection();
    connection->getUniqueName(); // waits for the connection to be up: the call then leaves at once
    auto proxy = sdbus::createProxy(*connection, busName, managerPath);
    proxy->callMethod(request.message(*proxy), [](sdbus::MethodReply&, const sdbus::Error*) {});
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 30000));
}

Tally runClient(const std::vector<Request>& mix, std::size_t calls, unsigned seed) {
    Tally tally;
    std::minstd_rand random(seed);
    auto connection = sdbus::createSystemBusConnection();
    auto proxy = sdbus::createProxy(*connection, busName, managerPath);
    for (std::size_t i = 0; i < calls; ++i) {
        const Request& request = mix[random() % mix.size()];
        if (random() % abandonOneIn == 0) {
            abandon(request, random);
            ++tally.abandoned;
        } else {
            check(request, callAndWait(*proxy, request), tally);
        }
    }
    return tally;
}

// kmodctl as a user polkit must ask about, killed at some point of its call.
void killKmodctlMidCall(unsigned seed) {
    std::minstd_rand random(seed);
    for (std::size_t i = 0; i < killedKmodctlCount; ++i) {
        Subprocess client(
            {kmodctlForAnyUser(), "--no-ask-password", random() % 2 ? "load" : "unload", "veth"},
            {.user = accounts::trusted});
        std::this_thread::sleep_for(std::chrono::milliseconds(random() % 60));
        ::kill(client.pid(), SIGKILL);
        client.wait(callDeadline);
    }
}

long residentKiB(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmRSS:")) {
            return std::stol(line.substr(6));
        }
    }
    throw std::runtime_error("no VmRSS for process " + std::to_string(pid));
}

std::string describe(const Tally& tally) {
    std::string text = std::to_string(tally.answered) + " answered, " +
                       std::to_string(tally.abandoned) + " abandoned; errors:";
    for (const auto& [name, count] : tally.errors) {
        text += " " + name + " x" + std::to_string(count);
    }
    for (std::size_t i = 0; i < tally.problems.size() && i < 20; ++i) {
        text += "\n  " + tally.problems[i];
    }
    return text;
}

/// Clients by the dozen against a kernel that takes a millisecond a call and fails one call in
/// ten; the kernel's table is kept in a file, to hold kmodd's against.
class ManyMisbehavingClients : public ServiceTest {
  protected:
    DaemonOptions daemonOptions() const override {
        return {.environment = {"KMODD_FAKE_DELAY_MS=1", "KMODD_FAKE_RANDOM_FAILURES=10:ENOMEM:1",
                                kernel_.environmentVariable()}};
    }

    /// Every client at once, each on its own connection and thread.
    Tally runRound(std::size_t calls, unsigned seed) {
        const auto mix = requestMix();
        std::vector<Tally> tallies(clientCount);
        std::vector<std::thread> clients;
        for (std::size_t i = 0; i < clientCount; ++i) {
            clients.emplace_back(
                [&, i] { tallies[i] = runClient(mix, calls, seed + static_cast<unsigned>(i)); });
        }
        killKmodctlMidCall(seed);
        Tally total;
        for (std::size_t i = 0; i < clientCount; ++i) {
            clients[i].join();
            total.merge(tallies[i]);
        }
        return total;
    }

    /// Waits until the kernel's table has not changed for a while: every request still in
    /// kmodd (abandoned, or from a killed kmodctl) is done.
    void waitForQuiet() {
        auto last = kernel_.loadedModules();
        auto since = Clock::now();
        waitUntil(
            [&] {
                const auto now = kernel_.loadedModules();
                if (now != last) {
                    last = now;
                    since = Clock::now();
                }
                return Clock::now() - since > 500ms;
            },
            "the kernel's module table to settle");
    }

    KernelStateFile kernel_;
};

TEST_F(ManyMisbehavingClients, AreAllAnsweredAndLeaveKmoddInAgreementWithTheKernel) {
    const pid_t daemon = pidOf(busName);
    const Tally warmUp = runRound(warmUpCallsPerClient, 1000);
    ASSERT_TRUE(warmUp.problems.empty()) << describe(warmUp);
    const long residentAfterWarmUp = residentKiB(daemon);

    const Tally tally = runRound(callsPerClient, 2000);
    waitForQuiet();
    // A stuck kmodd fails this call (sd-bus's 25 s timeout) rather than answering late.
    std::vector<std::string> listed = loadedModules();
    const long residentAtEnd = residentKiB(daemon);

    EXPECT_TRUE(tally.problems.empty()) << describe(tally);
    EXPECT_TRUE(tally.errors.contains(kmodd::wire::error::busName(kmodd::wire::error::failed)))
        << "no injected kernel failure seen";
    std::sort(listed.begin(), listed.end());
    EXPECT_EQ(listed, kernel_.loadedModules()) << "kmodd's table is not the kernel's";
#ifndef __SANITIZE_ADDRESS__ // ASan holds freed memory back in quarantine
    EXPECT_LT(residentAtEnd - residentAfterWarmUp, memoryGrowthLimitKiB)
        << "VmRSS " << residentAfterWarmUp << " KiB after the warm-up, " << residentAtEnd
        << " KiB at the end";
#endif
    RecordProperty("requests", describe(tally));
    RecordProperty("VmRSSAfterWarmUpKiB", std::to_string(residentAfterWarmUp));
    RecordProperty("VmRSSAtEndKiB", std::to_string(residentAtEnd));
}

} // namespace
} // namespace kmodd::testing

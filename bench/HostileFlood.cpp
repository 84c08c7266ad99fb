// kmodd-bench-hostile: root's latency while unprivileged users flood kmodd (SPEC "root under
// hostile load", BENCHMARKS.md). kmodd runs on the fake kernel on a private bus; three
// processes as nobody (this program again, with --flood) each keep 16 calls in flight with the
// worst requests an unprivileged user can send: Loads of 40,000 parameters (1 MB each), Loads
// that need polkit (none runs on the bench's bus, so each is refused at once), Loads of a name
// no module has, and GetModule. Meanwhile root's ListModules and Load of a loaded module are
// timed one call at a time, as a person or a script would make them, both through the bus and
// on root's socket (as root's kmodctl makes them); the same calls with no flood are the
// baseline. bench/run-host.sh --hostile runs it on a release build.

#include "BenchService.h"
#include "LoadGenerator.h"
#include "WireNames.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <list>
#include <map>
#include <string>
#include <systemd/sd-bus.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace kmodd::bench;
using namespace std::chrono_literals;

using kmodd::wire::managerInterface;
using kmodd::wire::managerPath;
constexpr std::size_t flooders = 3;
constexpr std::size_t callsInFlightPerFlooder = 16;
constexpr kmodd::testing::Credentials nobody{65534, 65534};

Request managerRequest(std::string label, std::string method,
                       std::function<void(sdbus::MethodCall&)> arguments) {
    return {std::move(label), kmodd::wire::busName, managerPath,
            managerInterface, std::move(method),    std::move(arguments)};
}

Request load(std::string label, std::string module, std::map<std::string, std::string> parameters) {
    return managerRequest(
        std::move(label), "Load",
        [module = std::move(module), parameters = std::move(parameters)](sdbus::MethodCall& call) {
            call << module << parameters << std::uint64_t{0};
        });
}

std::vector<Request> floodMix() {
    std::map<std::string, std::string> flood;
    for (int i = 0; i < 40000; ++i) {
        flood.emplace("p" + std::to_string(i), "1");
    }
    return {
        load("Load(40,000 parameters)", "dummy", std::move(flood)),
        load("Load(veth), needs polkit", "veth", {}),
        load("Load(no such module)", "no_such_module", {}),
        managerRequest("GetModule(bridge)", "GetModule",
                       [](sdbus::MethodCall& call) { call << std::string("bridge"); }),
    };
}

// The flooder: calls until killed. Errors are what it is there for.
int flood() {
    LoadGenerator generator(callsInFlightPerFlooder);
    const auto mix = floodMix();
    for (;;) {
        generator.run(mix, 1'000'000, std::chrono::hours(1));
    }
}

std::vector<Request> rootCalls() {
    return {
        managerRequest("ListModules", "ListModules", [](sdbus::MethodCall&) {}),
        load("Load(dummy), loaded", "dummy", {}),
    };
}

// The same calls on root's socket: one direct sd-bus connection, one call at a time.
class RootSocketClient {
  public:
    explicit RootSocketClient(const std::filesystem::path& socket) {
        const std::string address = "unix:path=" + socket.string();
        if (sd_bus_new(&bus_) < 0 || sd_bus_set_address(bus_, address.c_str()) < 0 ||
            sd_bus_start(bus_) < 0) {
            sd_bus_unref(bus_);
            throw std::runtime_error("cannot connect to " + socket.string());
        }
    }
    ~RootSocketClient() { sd_bus_flush_close_unref(bus_); }
    RootSocketClient(const RootSocketClient&) = delete;
    RootSocketClient& operator=(const RootSocketClient&) = delete;

    /// rootCalls()[which], calls times.
    PhaseResult run(std::size_t which, std::size_t calls) {
        PhaseResult result;
        result.latencies.reserve(calls);
        const auto start = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < calls; ++i) {
            sd_bus_error error = SD_BUS_ERROR_NULL;
            sd_bus_message* reply = nullptr;
            const auto sent = std::chrono::steady_clock::now();
            const int called =
                which == 0 ? sd_bus_call_method(bus_, kmodd::wire::busName, managerPath,
                                                managerInterface, "ListModules", &error, &reply, "")
                           : sd_bus_call_method(bus_, kmodd::wire::busName, managerPath,
                                                managerInterface, "Load", &error, &reply, "sa{ss}t",
                                                "dummy", 0, std::uint64_t{0});
            result.latencies.add(std::chrono::steady_clock::now() - sent);
            ++result.completed;
            if (called < 0 && result.errors++ == 0) {
                result.firstError = error.message ? error.message : std::strerror(-called);
            }
            sd_bus_message_unref(reply);
            sd_bus_error_free(&error);
        }
        result.elapsed = std::chrono::steady_clock::now() - start;
        return result;
    }

  private:
    sd_bus* bus_ = nullptr;
};

// Root's kmodctl, one process per call as a script runs it (on root's socket, from
// KMODD_ROOT_SOCKET): its start-up is part of each figure.
PhaseResult kmodctlRuns(const std::vector<std::string>& arguments, std::size_t calls) {
    std::vector<std::string> argv{KMODCTL};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    PhaseResult result;
    result.latencies.reserve(calls);
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < calls; ++i) {
        const auto started = std::chrono::steady_clock::now();
        const auto outcome = kmodd::testing::run(argv, {}, 30s);
        result.latencies.add(std::chrono::steady_clock::now() - started);
        ++result.completed;
        if (outcome.exitCode != 0 && result.errors++ == 0) {
            result.firstError = outcome.describe();
        }
    }
    result.elapsed = std::chrono::steady_clock::now() - start;
    return result;
}

std::string milliseconds(std::chrono::nanoseconds duration) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f",
                  std::chrono::duration<double, std::milli>(duration).count());
    return text;
}

// One table row per root call: p50, p99, max and errors, with and without the flood.
struct Row {
    std::string label;
    PhaseResult quiet;
    PhaseResult flooded;
};

std::size_t numberArgument(const std::string& argument, const std::string& name,
                           std::size_t fallback) {
    const std::string prefix = "--" + name + "=";
    if (!argument.starts_with(prefix)) {
        return fallback;
    }
    std::size_t value = 0;
    const auto* first = argument.data() + prefix.size();
    const auto* last = argument.data() + argument.size();
    if (const auto [end, error] = std::from_chars(first, last, value);
        error != std::errc() || end != last) {
        throw std::invalid_argument("not a number: " + argument);
    }
    return value;
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> arguments(argv + 1, argv + argc);
    if (arguments.size() == 1 && arguments.front() == "--flood") {
        return flood();
    }
    std::size_t calls = 2000;
    for (const auto& argument : arguments) {
        if (argument == "--help" || !argument.starts_with("--calls=")) {
            std::cerr << "usage: kmodd-bench-hostile [--calls=N]  (root's calls per method, "
                         "default 2000)\n";
            return argument == "--help" ? 0 : 2;
        }
        calls = numberArgument(argument, "calls", calls);
    }
    if (::geteuid() != 0) {
        std::cerr << "kmodd-bench-hostile: run as root (it starts kmodd on a private bus)\n";
        return 1;
    }
    try {
        BenchService service({KMODD_TEST_DAEMON, KMODD_BENCH_ECHO, KMODD_SOURCE_DIR}, 100);
        auto daemon = service.startDaemon();
        LoadGenerator root(1);
        RootSocketClient direct(service.rootSocket());
        const std::vector<Request> requests = rootCalls();
        std::vector<Row> rows;
        for (const auto& call : requests) {
            root.run({call}, calls / 10, 60s); // warm-up
            rows.push_back({call.label + " (bus)", root.run({call}, calls, 120s), {}});
        }
        for (std::size_t i = 0; i < requests.size(); ++i) {
            direct.run(i, calls / 10);
            rows.push_back({requests[i].label + " (root's socket)", direct.run(i, calls), {}});
        }
        // Process starts cost milliseconds: a tenth as many.
        const std::size_t kmodctlCalls = std::max<std::size_t>(calls / 10, 1);
        ::setenv(kmodd::wire::rootSocketVariable, service.rootSocket().c_str(), 1);
        const std::vector<std::pair<std::string, std::vector<std::string>>> kmodctlCommands{
            {"`kmodctl list`", {"list"}}, {"`kmodctl load dummy`, loaded", {"load", "dummy"}}};
        for (const auto& [label, command] : kmodctlCommands) {
            rows.push_back({label + ", a process per call (root's socket)",
                            kmodctlRuns(command, kmodctlCalls),
                            {}});
        }
        std::list<kmodd::testing::Subprocess> flood;
        for (std::size_t i = 0; i < flooders; ++i) {
            flood.emplace_back(std::vector<std::string>{"/proc/self/exe", "--flood"},
                               kmodd::testing::SpawnOptions{.user = nobody});
        }
        std::this_thread::sleep_for(2s); // every flooder connected and sending
        for (std::size_t i = 0; i < requests.size(); ++i) {
            rows[i].flooded = root.run({requests[i]}, calls, 120s);
            rows[requests.size() + i].flooded = direct.run(i, calls);
        }
        for (std::size_t i = 0; i < kmodctlCommands.size(); ++i) {
            rows[2 * requests.size() + i].flooded =
                kmodctlRuns(kmodctlCommands[i].second, kmodctlCalls);
        }
        for (auto& flooder : flood) {
            if (!flooder.running()) {
                throw std::runtime_error("a flooder exited: " + flooder.wait(1s).describe());
            }
        }
        flood.clear();
        service.stopDaemon(daemon);

        std::cout << "| root's call, one at a time | quiet p50 / p99 / max ms | under flood p50 / "
                     "p99 / max ms | errors under flood | target p99 ≤ 20 ms, no error |\n"
                  << "| --- | --- | --- | --- | --- |\n";
        for (const auto& row : rows) {
            const auto quiet = row.quiet.latencies.summary();
            const auto flooded = row.flooded.latencies.summary();
            const bool met = flooded.p99 <= 20ms && row.flooded.errors == 0 &&
                             row.flooded.completed == row.quiet.completed;
            std::cout << "| " << row.label << " | " << milliseconds(quiet.p50) << " / "
                      << milliseconds(quiet.p99) << " / " << milliseconds(quiet.max) << " | "
                      << milliseconds(flooded.p50) << " / " << milliseconds(flooded.p99) << " / "
                      << milliseconds(flooded.max) << " | " << row.flooded.errors
                      << (row.flooded.errors ? " (" + row.flooded.firstError + ")" : "") << " | "
                      << (met ? "**met**" : "**not met**") << " |\n";
        }
        std::cout << "\n"
                  << flooders << " flooders as nobody, " << callsInFlightPerFlooder
                  << " calls in flight each; " << calls << " calls of each kind from root ("
                  << kmodctlCalls << " kmodctl runs).\n";
    } catch (const std::exception& error) {
        std::cerr << "kmodd-bench-hostile: " << error.what() << "\n";
        return 1;
    }
    return 0;
}

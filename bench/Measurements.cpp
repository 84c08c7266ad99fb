#include "Measurements.h"

#include "WireNames.h"

#include <algorithm>
#include <ctime>
#include <iostream>
#include <stdexcept>
#include <thread>

namespace kmodd::bench {
namespace {

using kmodd::wire::managerInterface;
using kmodd::wire::managerPath;
constexpr std::size_t memoryClients = 8;
constexpr auto idleSettle = std::chrono::milliseconds(500);

Request managerRequest(std::string label, std::string method,
                       std::function<void(sdbus::MethodCall&)> arguments) {
    return {std::move(label), kmodd::wire::busName, managerPath,
            managerInterface, std::move(method),    std::move(arguments)};
}

std::chrono::nanoseconds ownCpuTime() {
    timespec now{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

double microsecondsPerCall(std::chrono::nanoseconds cpu, std::size_t calls) {
    return calls == 0 ? 0
                      : std::chrono::duration<double, std::micro>(cpu).count() /
                            static_cast<double>(calls);
}

void requireNoErrors(const std::string& what, const PhaseResult& result) {
    if (result.errors != 0) {
        throw std::runtime_error(what + ": " + std::to_string(result.errors) +
                                 " calls failed, the first with " + result.firstError);
    }
}

ThroughputSample measureOne(LoadGenerator& generator, const BenchMethod& method, pid_t answererPid,
                            pid_t busPid, const BenchOptions& options) {
    const std::vector<Request> mix{method.request};
    const std::string what =
        method.request.label + " from " + std::to_string(generator.clients()) + " clients";
    requireNoErrors(what, generator.run(mix, options.warmup, options.phaseTimeLimit));

    const auto answererBefore =
        answererPid > 0 ? cpuTimeOf(answererPid) : std::chrono::nanoseconds{};
    const auto busBefore = cpuTimeOf(busPid);
    const auto clientBefore = ownCpuTime();
    const PhaseResult result = generator.run(mix, options.requests, options.phaseTimeLimit);
    const auto clientCpu = ownCpuTime() - clientBefore;
    const auto busCpu = cpuTimeOf(busPid) - busBefore;
    const auto answererCpu =
        answererPid > 0 ? cpuTimeOf(answererPid) - answererBefore : std::chrono::nanoseconds{};
    requireNoErrors(what, result);

    ThroughputSample sample;
    sample.requestsPerSecond = result.requestsPerSecond();
    sample.latency = result.latencies.summary();
    sample.answererCpuMicros = microsecondsPerCall(answererCpu, result.completed);
    sample.busCpuMicros = microsecondsPerCall(busCpu, result.completed);
    sample.clientCpuMicros = microsecondsPerCall(clientCpu, result.completed);
    std::cerr << "  " << what << ": " << static_cast<long>(sample.requestsPerSecond) << " req/s\n";
    return sample;
}

} // namespace

std::vector<BenchMethod> benchMethods() {
    return {
        {managerRequest("ListModules", "ListModules", [](sdbus::MethodCall&) {}), Answerer::Kmodd},
        {managerRequest("GetModule(dummy)", "GetModule",
                        [](sdbus::MethodCall& call) { call << std::string("dummy"); }),
         Answerer::Kmodd},
        {managerRequest("Load(dummy), loaded", "Load",
                        [](sdbus::MethodCall& call) {
                            call << std::string("dummy") << std::map<std::string, std::string>{}
                                 << std::uint64_t{0};
                        }),
         Answerer::Kmodd},
        {{"peer: Echo(s) trivial service", echoBusName, echoObjectPath, echoInterface, "Echo",
          [](sdbus::MethodCall& call) {
              call << std::string("dummy");
          }},
         Answerer::Echo},
        {{"peer: GetId on the bus", "org.freedesktop.DBus", "/org/freedesktop/DBus",
          "org.freedesktop.DBus", "GetId",
          [](sdbus::MethodCall&) {
          }},
         Answerer::Bus},
    };
}

ThroughputResults measureThroughput(BenchService& service, pid_t daemonPid,
                                    const BenchOptions& options) {
    const auto methods = benchMethods();
    ThroughputResults results;
    for (std::size_t round = 1; round <= options.rounds; ++round) {
        std::cerr << "round " << round << " of " << options.rounds << "\n";
        for (const std::size_t clients : options.clients) {
            LoadGenerator generator(clients);
            for (const auto& method : methods) {
                const pid_t answerer = method.answerer == Answerer::Kmodd  ? daemonPid
                                       : method.answerer == Answerer::Echo ? service.echoPid()
                                                                           : -1;
                results[{clients, method.request.label}].push_back(
                    measureOne(generator, method, answerer, service.busPid(), options));
            }
        }
    }
    return results;
}

MemoryResults measureMemory(BenchService& service, const BenchOptions& options) {
    auto daemon = service.startDaemon();
    const pid_t pid = daemon.process->pid();
    std::this_thread::sleep_for(idleSettle);
    MemoryResults results;
    results.idle = memoryOf(pid);
    results.idleMappings = mappingsOf(pid);
    results.echoIdle = memoryOf(service.echoPid());

    std::vector<Request> mix;
    for (const auto& method : benchMethods()) {
        if (method.answerer == Answerer::Kmodd) {
            mix.push_back(method.request);
        }
    }
    // A time limit that a slow machine still meets: these batches are counted, not timed.
    const auto limit = options.phaseTimeLimit * 10;
    LoadGenerator generator(memoryClients);
    for (auto* reading : {&results.afterFirst, &results.afterSecond}) {
        std::cerr << "memory: " << options.memoryRequests << " mixed calls\n";
        const PhaseResult batch = generator.run(mix, options.memoryRequests, limit);
        requireNoErrors("the memory batch", batch);
        if (batch.completed != options.memoryRequests) {
            throw std::runtime_error("the memory batch did not finish within " +
                                     std::to_string(limit.count()) + " s");
        }
        *reading = memoryOf(pid);
    }
    results.lastMappings = mappingsOf(pid);
    service.stopDaemon(daemon);
    return results;
}

ThroughputSample profileMethod(BenchService& service, const BenchOptions& options) {
    const auto methods = benchMethods();
    const auto method = std::find_if(methods.begin(), methods.end(), [&](const BenchMethod& m) {
        return m.answerer == Answerer::Kmodd && m.request.method == options.profileMethod;
    });
    if (method == methods.end()) {
        throw std::invalid_argument("--profile='" + options.profileMethod +
                                    "' is not ListModules, GetModule or Load");
    }
    auto daemon = service.startDaemon();
    LoadGenerator generator(options.clients.front());
    const auto sample =
        measureOne(generator, *method, daemon.process->pid(), service.busPid(), options);
    service.stopDaemon(daemon);
    return sample;
}

std::vector<std::chrono::nanoseconds> measureStartToReady(BenchService& service,
                                                          const BenchOptions& options) {
    std::cerr << "start to READY: " << options.readyRuns << " starts\n";
    std::vector<std::chrono::nanoseconds> times;
    for (std::size_t run = 0; run < options.readyRuns; ++run) {
        auto daemon = service.startDaemon();
        times.push_back(daemon.startToReady);
        service.stopDaemon(daemon);
    }
    return times;
}

} // namespace kmodd::bench

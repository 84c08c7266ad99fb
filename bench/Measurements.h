#pragma once

#include "BenchOptions.h"
#include "BenchService.h"
#include "Latencies.h"
#include "LoadGenerator.h"
#include "ProcessStats.h"

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kmodd::bench {

/// Who answers a method: kmodd, the echo service, or dbus-daemon itself.
enum class Answerer { Kmodd, Echo, Bus };

struct BenchMethod {
    Request request;
    Answerer answerer;
};

/// kmodd's three measured methods, then the two peers: Echo on the trivial service and GetId,
/// which dbus-daemon answers itself (half the messages of a call to a service).
std::vector<BenchMethod> benchMethods();

/// One method at one client count in one round.
struct ThroughputSample {
    double requestsPerSecond = 0;
    LatencySummary latency;
    double answererCpuMicros = 0; ///< CPU time per call of the process that answered it
    double busCpuMicros = 0;      ///< of dbus-daemon
    double clientCpuMicros = 0;   ///< of the load generator
};

/// Samples by (client count, method label), one per round, in round order.
using ThroughputResults =
    std::map<std::pair<std::size_t, std::string>, std::vector<ThroughputSample>>;

/// Every round: for each client count, every method in turn on the same connections (the peers
/// right after kmodd's methods, so that they see the same machine). Throws std::runtime_error
/// when a call fails.
ThroughputResults measureThroughput(BenchService& service, pid_t daemonPid,
                                    const BenchOptions& options);

struct MemoryResults {
    MemoryUsage idle;                       ///< kmodd after READY, before any call
    MemoryUsage afterFirst;                 ///< after memoryRequests calls
    MemoryUsage afterSecond;                ///< after as many more
    MemoryUsage echoIdle;                   ///< the trivial sdbus-c++ service, for scale
    std::vector<MappingUsage> idleMappings; ///< where kmodd's idle memory is
    std::vector<MappingUsage> lastMappings; ///< and where it is after both batches
};

/// Starts a fresh kmodd and reads its memory idle and after two batches of mixed calls
/// (ListModules, GetModule, Load) from 8 clients.
MemoryResults measureMemory(BenchService& service, const BenchOptions& options);

/// Starts kmodd, calls options.profileMethod requests times from the first client count and
/// stops kmodd; the one sample. Throws std::invalid_argument for an unknown method.
ThroughputSample profileMethod(BenchService& service, const BenchOptions& options);

/// Starts and stops kmodd readyRuns times; each start's time to READY=1.
std::vector<std::chrono::nanoseconds> measureStartToReady(BenchService& service,
                                                          const BenchOptions& options);

} // namespace kmodd::bench

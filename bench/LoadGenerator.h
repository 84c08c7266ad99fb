#pragma once

#include "Latencies.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <sdbus-c++/sdbus-c++.h>
#include <string>
#include <vector>

namespace kmodd::bench {

/// One kind of method call the generator repeats.
struct Request {
    std::string label; ///< for the report, e.g. "ListModules"
    std::string destination;
    std::string objectPath;
    std::string interface;
    std::string method;
    std::function<void(sdbus::MethodCall&)> appendArguments = [](sdbus::MethodCall&) {
    };
};

/// What one phase measured.
struct PhaseResult {
    std::size_t completed = 0;
    std::chrono::nanoseconds elapsed{};
    Latencies latencies;
    std::size_t errors = 0;
    std::string firstError; ///< the first error's name and message, when there was one

    double requestsPerSecond() const;
};

/// Closed-loop load from N clients, each its own connection to the system bus
/// ($DBUS_SYSTEM_BUS_ADDRESS) with exactly one call in flight: a reply (or error) is timed and
/// the client's next call goes out at once. All clients run on one thread, polled together, so
/// the generator costs as little CPU as an sd-bus client can.
class LoadGenerator {
  public:
    /// Connects the clients. Throws sdbus::Error.
    explicit LoadGenerator(std::size_t clients);
    ~LoadGenerator();
    LoadGenerator(const LoadGenerator&) = delete;
    LoadGenerator& operator=(const LoadGenerator&) = delete;

    std::size_t clients() const noexcept { return connections_.size(); }

    /// Sends requests calls, the k-th of them being mix[k % mix.size()], and stops early
    /// (finishing the calls in flight) when timeLimit has passed.
    PhaseResult run(const std::vector<Request>& mix, std::size_t requests,
                    std::chrono::seconds timeLimit);

  private:
    struct Client;
    class Phase;

    std::vector<std::unique_ptr<sdbus::IConnection>> connections_;
};

} // namespace kmodd::bench

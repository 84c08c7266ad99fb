#include "BenchOptions.h"

#include <charconv>
#include <stdexcept>

namespace kmodd::bench {
namespace {

std::size_t count(const std::string& argument, std::string_view text) {
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        throw std::invalid_argument("'" + argument + "' does not give a number");
    }
    return value;
}

std::vector<std::size_t> counts(const std::string& argument, std::string_view text) {
    std::vector<std::size_t> values;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const std::size_t value = count(argument, text.substr(0, comma));
        if (value == 0) {
            throw std::invalid_argument("'" + argument + "' asks for zero clients");
        }
        values.push_back(value);
        text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
    }
    if (values.empty()) {
        throw std::invalid_argument("'" + argument + "' gives no client count");
    }
    return values;
}

std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> result;
    while (!text.empty()) {
        const auto space = text.find(' ');
        if (space != 0) {
            result.emplace_back(text.substr(0, space));
        }
        text = space == std::string_view::npos ? "" : text.substr(space + 1);
    }
    return result;
}

} // namespace

BenchOptions parseBenchOptions(const std::vector<std::string>& arguments, BenchOptions options) {
    for (const auto& argument : arguments) {
        const auto equals = argument.find('=');
        if (!argument.starts_with("--") || equals == std::string::npos) {
            throw std::invalid_argument("unknown argument '" + argument + "'");
        }
        const std::string name = argument.substr(2, equals - 2);
        const std::string_view value = std::string_view(argument).substr(equals + 1);
        if (name == "clients") {
            options.clients = counts(argument, value);
        } else if (name == "requests") {
            options.requests = count(argument, value);
        } else if (name == "warmup") {
            options.warmup = count(argument, value);
        } else if (name == "rounds") {
            options.rounds = count(argument, value);
        } else if (name == "memory-requests") {
            options.memoryRequests = count(argument, value);
        } else if (name == "ready-runs") {
            options.readyRuns = count(argument, value);
        } else if (name == "preloaded") {
            options.preloadedModules = std::max<std::size_t>(count(argument, value), 4);
        } else if (name == "phase-time-limit") {
            options.phaseTimeLimit = std::chrono::seconds(count(argument, value));
        } else if (name == "daemon") {
            options.programs.daemon = value;
        } else if (name == "echo") {
            options.programs.echo = value;
        } else if (name == "daemon-prefix") {
            options.programs.daemonPrefix = words(value);
        } else if (name == "profile") {
            options.profileMethod = value;
        } else {
            throw std::invalid_argument("unknown argument '" + argument + "'");
        }
    }
    return options;
}

std::string benchUsage() {
    return R"(Usage: kmodd-bench [--name=value ...]
Measures kmodd-test-daemon (kmodd on the fake kernel) on a private system bus and prints
Markdown tables: reads and already-loaded loads from N clients next to the bus's own ceiling,
memory idle and after many requests, and start to READY.
  --clients=1,8,64        client connections, each with one call in flight
  --requests=20000        calls per method, client count and round
  --warmup=1000           unmeasured calls before each measurement
  --rounds=3              rounds; every figure is the median, with the range
  --memory-requests=100000  calls between two memory readings
  --ready-runs=20         daemon starts timed to READY=1
  --preloaded=100         modules the fake kernel has loaded (at least 4)
  --phase-time-limit=60   seconds after which a measurement stops early
  --daemon=PATH --echo=PATH   the programs (default: this build's)
  --profile=METHOD        only call kmodd's METHOD (ListModules, GetModule or Load) --requests
                          times from the first client count, e.g. with a profiler as
  --daemon-prefix="valgrind --tool=callgrind"   a command kmodd runs under
)";
}

} // namespace kmodd::bench

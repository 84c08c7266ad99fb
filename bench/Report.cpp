#include "Report.h"

#include <algorithm>
#include <fmt/format.h>

namespace kmodd::bench {
namespace {

using Milliseconds = std::chrono::duration<double, std::milli>;

constexpr double readsTarget = 20'000;
constexpr Milliseconds p99Target{5};
constexpr double privateTargetMiB = 2;
constexpr Milliseconds readyTarget{50};
constexpr std::size_t mappingRows = 16;
constexpr const char* echoLabel = "peer: Echo(s) trivial service";
const std::vector<std::string> readLabels{"ListModules", "GetModule(dummy)"};

template <class T> T median(std::vector<T> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

template <class T, class Get>
std::vector<T> each(const std::vector<ThroughputSample>& samples, Get get) {
    std::vector<T> values;
    for (const auto& sample : samples) {
        values.push_back(get(sample));
    }
    return values;
}

double ms(std::chrono::nanoseconds duration) {
    return Milliseconds(duration).count();
}

double mib(std::uint64_t kib) {
    return static_cast<double>(kib) / 1024;
}

std::string yesNo(bool met) {
    return met ? "**met**" : "**not met**";
}

// "12,345 (11,900–12,700)"
std::string withRange(const std::vector<double>& values, const char* format) {
    const auto [low, high] = std::minmax_element(values.begin(), values.end());
    if (values.size() == 1) {
        return fmt::format(fmt::runtime(format), values.front());
    }
    return fmt::format(fmt::runtime(format), median(values)) + " (" +
           fmt::format(fmt::runtime(format), *low) + "–" +
           fmt::format(fmt::runtime(format), *high) + ")";
}

std::vector<double> ratiosToEcho(const ThroughputResults& throughput, std::size_t clients,
                                 const std::string& label) {
    const auto& samples = throughput.at({clients, label});
    const auto& echo = throughput.at({clients, echoLabel});
    std::vector<double> ratios;
    for (std::size_t round = 0; round < samples.size(); ++round) {
        ratios.push_back(samples[round].requestsPerSecond / echo[round].requestsPerSecond);
    }
    return ratios;
}

std::string targetsTable(const BenchResults& results, const BenchOptions& options) {
    std::string text = "| target (SPEC) | measured | |\n|---|---|---|\n";
    const std::size_t most = *std::max_element(options.clients.begin(), options.clients.end());
    bool rateMet = true;
    bool p99Met = true;
    std::string rates;
    std::string p99s;
    for (const auto& label : readLabels) {
        const auto& samples = results.throughput.at({most, label});
        const double rate =
            median(each<double>(samples, [](const auto& s) { return s.requestsPerSecond; }));
        const auto p99 = median(
            each<std::chrono::nanoseconds>(samples, [](const auto& s) { return s.latency.p99; }));
        const double ratio = median(ratiosToEcho(results.throughput, most, label));
        rateMet = rateMet && rate >= readsTarget;
        p99Met = p99Met && Milliseconds(p99) < p99Target;
        rates += fmt::format("{}{} {:.0f} req/s ({:.2f}× Echo)", rates.empty() ? "" : "; ", label,
                             rate, ratio);
        p99s += fmt::format("{}{} {:.2f} ms", p99s.empty() ? "" : "; ", label, ms(p99));
    }
    const auto& echo = results.throughput.at({most, echoLabel});
    const double echoRate =
        median(each<double>(echo, [](const auto& s) { return s.requestsPerSecond; }));
    text += fmt::format("| reads from {} clients ≥ 20,000 req/s | {}; the bus's ceiling for a "
                        "trivial service: {:.0f} req/s | {} |\n",
                        most, rates, echoRate, yesNo(rateMet));
    text +=
        fmt::format("| reads from {} clients: p99 < 5 ms | {} | {} |\n", most, p99s, yesNo(p99Met));

    const auto& memory = results.memory;
    text += fmt::format("| private memory idle ≤ 2 MiB | {:.2f} MiB private ({:.2f} dirty); Pss "
                        "{:.2f}, VmRSS {:.2f} MiB | {} |\n",
                        mib(memory.idle.privateKiB), mib(memory.idle.privateDirtyKiB),
                        mib(memory.idle.pssKiB), mib(memory.idle.rssKiB),
                        yesNo(mib(memory.idle.privateKiB) <= privateTargetMiB));
    const auto growth = static_cast<long long>(memory.afterSecond.privateKiB) -
                        static_cast<long long>(memory.afterFirst.privateKiB);
    // Flat: the second batch adds less than the allocator's slack. Whether the level is within
    // the idle target shows in the figures beside it.
    const bool flat = growth <= 64;
    text += fmt::format("| private memory flat after {} requests | after {}: {:.2f} MiB; after "
                        "{}: {:.2f} MiB ({:+} KiB) | {} |\n",
                        options.memoryRequests, options.memoryRequests,
                        mib(memory.afterFirst.privateKiB), 2 * options.memoryRequests,
                        mib(memory.afterSecond.privateKiB), growth, yesNo(flat));
    if (results.startToReady.empty()) {
        return text; // --ready-runs=0: no row
    }
    const auto ready = median(results.startToReady);
    const auto slowest =
        *std::max_element(results.startToReady.begin(), results.startToReady.end());
    text += fmt::format(
        "| start to READY ≤ 50 ms | median {:.1f} ms, max {:.1f} ms ({} starts) | {} |\n",
        ms(ready), ms(slowest), results.startToReady.size(),
        yesNo(Milliseconds(slowest) <= readyTarget));
    return text;
}

std::string throughputTable(const BenchResults& results, const BenchOptions& options) {
    std::string text =
        "| clients | method | req/s median (range) | ÷ Echo | p50 ms | p99 ms (range) | max ms | "
        "CPU µs/call: answerer | dbus-daemon | client |\n"
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const std::size_t clients : options.clients) {
        for (const auto& method : benchMethods()) {
            const auto& label = method.request.label;
            const auto& samples = results.throughput.at({clients, label});
            const auto rates =
                each<double>(samples, [](const auto& s) { return s.requestsPerSecond; });
            const auto p50 = each<double>(samples, [](const auto& s) { return ms(s.latency.p50); });
            const auto p99 = each<double>(samples, [](const auto& s) { return ms(s.latency.p99); });
            const auto max = each<double>(samples, [](const auto& s) { return ms(s.latency.max); });
            const std::string ratio =
                method.answerer == Answerer::Echo
                    ? "1"
                    : fmt::format("{:.2f}",
                                  median(ratiosToEcho(results.throughput, clients, label)));
            const std::string answerer =
                method.answerer == Answerer::Bus
                    ? "—"
                    : fmt::format("{:.1f}", median(each<double>(samples, [](const auto& s) {
                                      return s.answererCpuMicros;
                                  })));
            text += fmt::format(
                "| {} | {} | {} | {} | {:.2f} | {} | {:.1f} | {} | {:.1f} | {:.1f} |\n", clients,
                label, withRange(rates, "{:.0f}"), ratio, median(p50), withRange(p99, "{:.2f}"),
                *std::max_element(max.begin(), max.end()), answerer,
                median(each<double>(samples, [](const auto& s) { return s.busCpuMicros; })),
                median(each<double>(samples, [](const auto& s) { return s.clientCpuMicros; })));
        }
    }
    return text;
}

std::string mappingTable(const std::vector<MappingUsage>& mappings) {
    std::string text = "| mapping | Rss KiB | Pss KiB | private KiB | of it dirty |\n"
                       "|---|---:|---:|---:|---:|\n";
    for (std::size_t i = 0; i < mappings.size() && i < mappingRows; ++i) {
        const auto& [name, usage] = mappings[i];
        text += fmt::format("| {} | {} | {} | {} | {} |\n", name, usage.rssKiB, usage.pssKiB,
                            usage.privateKiB, usage.privateDirtyKiB);
    }
    return text;
}

std::string memoryTable(const BenchResults& results, const BenchOptions& options) {
    std::string text = "| process, when | VmRSS MiB | Pss MiB | private MiB | of it dirty |\n"
                       "|---|---:|---:|---:|---:|\n";
    const auto row = [&](const std::string& when, const MemoryUsage& usage) {
        text += fmt::format("| {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} |\n", when, mib(usage.rssKiB),
                            mib(usage.pssKiB), mib(usage.privateKiB), mib(usage.privateDirtyKiB));
    };
    const auto& memory = results.memory;
    row("kmodd idle after READY", memory.idle);
    row(fmt::format("kmodd after {} calls", options.memoryRequests), memory.afterFirst);
    row(fmt::format("kmodd after {} calls", 2 * options.memoryRequests), memory.afterSecond);
    row("peer: trivial sdbus-c++ service, idle", memory.echoIdle);
    text +=
        "\nkmodd idle, by mapping (most private first):\n\n" + mappingTable(memory.idleMappings);
    text += fmt::format("\nkmodd after {} calls, by mapping:\n\n", 2 * options.memoryRequests) +
            mappingTable(memory.lastMappings);
    return text;
}

} // namespace

std::string formatReport(const BenchResults& results, const BenchOptions& options) {
    std::string text = fmt::format(
        "### Targets\n\n{}\n### Calls: {} rounds of {} calls per method and client count\n\n{}\n"
        "### Memory\n\n{}",
        targetsTable(results, options), options.rounds, options.requests,
        throughputTable(results, options), memoryTable(results, options));
    const auto& starts = results.startToReady;
    if (!starts.empty()) { // none with --ready-runs=0
        text += fmt::format(
            "\n### Start to READY\n\n{} starts: median {:.1f} ms, min {:.1f} ms, max {:.1f} ms.\n",
            starts.size(), ms(median(starts)), ms(*std::min_element(starts.begin(), starts.end())),
            ms(*std::max_element(starts.begin(), starts.end())));
    }
    return text;
}

} // namespace kmodd::bench

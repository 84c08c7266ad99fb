#include "ProcessStats.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

namespace kmodd::bench {
namespace {

namespace fs = std::filesystem;

fs::path procOf(pid_t pid) {
    return fs::path("/proc") / std::to_string(pid);
}

std::ifstream openOrThrow(const fs::path& file) {
    std::ifstream stream(file);
    if (!stream) {
        throw std::runtime_error("cannot read " + file.string());
    }
    return stream;
}

// Lines such as "VmRSS:     8123 kB": the number after the label, 0 when it is absent.
std::uint64_t kibibytesOf(const std::string& line, const std::string& label) {
    return line.starts_with(label) ? std::stoull(line.substr(label.size())) : 0;
}

} // namespace

MemoryUsage memoryOf(pid_t pid) {
    MemoryUsage usage;
    auto status = openOrThrow(procOf(pid) / "status");
    for (std::string line; std::getline(status, line);) {
        usage.rssKiB += kibibytesOf(line, "VmRSS:");
    }
    auto rollup = openOrThrow(procOf(pid) / "smaps_rollup");
    for (std::string line; std::getline(rollup, line);) {
        usage.pssKiB += kibibytesOf(line, "Pss:");
        usage.privateKiB +=
            kibibytesOf(line, "Private_Clean:") + kibibytesOf(line, "Private_Dirty:");
        usage.privateDirtyKiB += kibibytesOf(line, "Private_Dirty:");
    }
    return usage;
}

std::vector<MappingUsage> mappingsOf(pid_t pid) {
    std::map<std::string, MemoryUsage> byName;
    auto smaps = openOrThrow(procOf(pid) / "smaps");
    MemoryUsage* current = nullptr;
    for (std::string line; std::getline(smaps, line);) {
        // A mapping's header: "start-end perms offset dev inode [name]"; its fields follow.
        const auto colon = line.find(':');
        const auto space = line.find(' ');
        if (space != std::string::npos && (colon == std::string::npos || space < colon)) {
            std::istringstream header(line);
            std::string range, perms, offset, device, inode, name;
            header >> range >> perms >> offset >> device >> inode >> name;
            current = &byName[name.empty() ? "[anonymous]" : name];
            continue;
        }
        if (current != nullptr) {
            current->rssKiB += kibibytesOf(line, "Rss:");
            current->pssKiB += kibibytesOf(line, "Pss:");
            current->privateKiB +=
                kibibytesOf(line, "Private_Clean:") + kibibytesOf(line, "Private_Dirty:");
            current->privateDirtyKiB += kibibytesOf(line, "Private_Dirty:");
        }
    }
    std::vector<MappingUsage> mappings;
    for (auto& [name, usage] : byName) {
        mappings.push_back({name, usage});
    }
    std::sort(mappings.begin(), mappings.end(),
              [](const auto& a, const auto& b) { return a.usage.privateKiB > b.usage.privateKiB; });
    return mappings;
}

std::chrono::nanoseconds cpuTimeOf(pid_t pid) {
    std::chrono::nanoseconds total{};
    for (const auto& task : fs::directory_iterator(procOf(pid) / "task")) {
        std::ifstream schedstat(task.path() / "schedstat");
        long long runNanoseconds = 0;
        // A thread that ends meanwhile has no file any more; its time is lost either way.
        if (schedstat >> runNanoseconds) {
            total += std::chrono::nanoseconds(runNanoseconds);
        }
    }
    return total;
}

} // namespace kmodd::bench

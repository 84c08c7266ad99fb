#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace kmodd::bench {

/// A process's memory as the kernel accounts it, in KiB. VmRSS counts every resident page,
/// shared library pages included; Pss divides shared pages among their users; Private counts
/// the pages only this process uses (clean and dirty).
struct MemoryUsage {
    std::uint64_t rssKiB = 0;
    std::uint64_t pssKiB = 0;
    std::uint64_t privateKiB = 0;      // Private_Clean + Private_Dirty: pages only kmodd maps
    std::uint64_t privateDirtyKiB = 0; // written to: heap, stacks, relocated data
};

/// Reads /proc/PID/status and /proc/PID/smaps_rollup. Throws std::runtime_error.
MemoryUsage memoryOf(pid_t pid);

/// Resident memory of one mapped file (or [heap], [stack], anonymous), all its mappings together.
struct MappingUsage {
    std::string name;
    MemoryUsage usage;
};

/// /proc/PID/smaps summed by mapped file, the most private memory first. Throws std::runtime_error.
std::vector<MappingUsage> mappingsOf(pid_t pid);

/// CPU time the process's live threads have used so far (/proc/PID/task/*/schedstat).
/// Throws std::runtime_error.
std::chrono::nanoseconds cpuTimeOf(pid_t pid);

} // namespace kmodd::bench

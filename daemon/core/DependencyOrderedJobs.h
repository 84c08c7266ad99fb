#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace kmodd {

/// Runs jobs 0..n-1 (n = waitsFor.size()) on at most `workers` threads, the calling thread
/// among them, each job only once every job it waits for has finished. waitsFor[i] names
/// jobs before i, so that one worker runs them all on the calling thread in index order,
/// starting no thread. Of the jobs ready at once, the lowest index goes first. job must not
/// throw; returns when every job has finished.
void runInDependencyOrder(const std::vector<std::vector<std::size_t>>& waitsFor,
                          std::size_t workers, const std::function<void(std::size_t)>& job);

} // namespace kmodd

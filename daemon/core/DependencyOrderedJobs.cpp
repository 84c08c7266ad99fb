#include "DependencyOrderedJobs.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

namespace kmodd {

void runInDependencyOrder(const std::vector<std::vector<std::size_t>>& waitsFor,
                          std::size_t workers, const std::function<void(std::size_t)>& job) {
    const std::size_t count = waitsFor.size();
    if (workers <= 1 || count <= 1) {
        for (std::size_t index = 0; index < count; ++index) {
            job(index);
        }
        return;
    }
    std::vector<std::size_t> unfinished(count); ///< jobs each one still waits for
    std::vector<std::vector<std::size_t>> dependants(count);
    std::set<std::size_t> ready;
    for (std::size_t index = 0; index < count; ++index) {
        unfinished[index] = waitsFor[index].size();
        for (const std::size_t earlier : waitsFor[index]) {
            dependants[earlier].push_back(index);
        }
        if (unfinished[index] == 0) {
            ready.insert(index);
        }
    }
    std::mutex mutex;
    std::condition_variable changed;
    std::size_t finished = 0;
    const auto work = [&] {
        std::unique_lock lock(mutex);
        for (;;) {
            changed.wait(lock, [&] { return !ready.empty() || finished == count; });
            if (ready.empty()) {
                return;
            }
            const std::size_t index = *ready.begin();
            ready.erase(ready.begin());
            lock.unlock();
            job(index);
            lock.lock();
            ++finished;
            for (const std::size_t dependant : dependants[index]) {
                if (--unfinished[dependant] == 0) {
                    ready.insert(dependant);
                }
            }
            changed.notify_all();
        }
    };
    std::vector<std::jthread> threads;
    for (std::size_t thread = 1; thread < std::min(workers, count); ++thread) {
        try {
            threads.emplace_back(work);
        } catch (const std::system_error&) {
            break; // fewer threads: the jobs still all run
        }
    }
    work();
}

} // namespace kmodd

#include "WaitUntil.h"

#include <stdexcept>
#include <thread>

namespace kmodd::testing {

void waitUntil(const std::function<bool()>& condition, const std::string& what,
               std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error("timed out after " + std::to_string(timeout.count()) +
                                     " ms waiting for " + what);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

} // namespace kmodd::testing

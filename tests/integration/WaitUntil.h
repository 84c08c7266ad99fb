#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace kmodd::testing {

/// Checks condition every few milliseconds until it holds; throws std::runtime_error naming
/// what was awaited when it still does not hold after timeout.
void waitUntil(const std::function<bool()>& condition, const std::string& what,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));

} // namespace kmodd::testing

#pragma once

#include <filesystem>
#include <string>

namespace kmodd::testing {

/// The whole file, or "" when it cannot be read (logs, for failure messages).
std::string readText(const std::filesystem::path& file);

} // namespace kmodd::testing

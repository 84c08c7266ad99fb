#pragma once

#include "CommandLine.h"

#include <optional>
#include <string>

namespace kmodctl {

/// `kmodctl --help` (no topic) or `kmodctl COMMAND --help`.
std::string helpText(std::optional<Verb> topic);

/// `kmodctl --version`.
std::string versionText();

} // namespace kmodctl

#pragma once

// The kernel's one spelling of module and parameter names, for the daemon and kmodctl alike
// (kmodctl reaches it through kmodd-escape's include directory, needing nothing else of core).

#include <algorithm>
#include <string>
#include <string_view>

namespace kmodd {

/// text with every '-' written as '_': the kernel's one spelling of module and parameter names,
/// which kmodd also gives patterns and config keys (as kmod's underscores()).
inline std::string withUnderscores(std::string_view text) {
    std::string canonical(text);
    std::replace(canonical.begin(), canonical.end(), '-', '_');
    return canonical;
}

} // namespace kmodd

#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kmodctl {

/// Up to `limit` candidates close to `typed`, closest first (then by name): those within an
/// edit distance (insertions, deletions, substitutions, swaps of two neighbours) of a third of
/// typed's length, at least 1. '-' and '_' are the same and case does not count, but typed
/// itself (as the kernel spells it) is never suggested.
std::vector<std::string> closeNames(std::string_view typed,
                                    const std::vector<std::string>& candidates,
                                    std::size_t limit = 3);

/// The names of the modules in a module directory, as the kernel names them ('-' as '_'):
/// every file modules.dep and modules.builtin list. Empty when neither can be read.
std::vector<std::string> moduleNamesIn(const std::filesystem::path& moduleDirectory);

/// "did you mean dummy?", "did you mean a, b or c?"; empty for no names.
std::string didYouMean(const std::vector<std::string>& names);

} // namespace kmodctl

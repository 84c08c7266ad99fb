#pragma once

#include "FileIdentity.h"
#include "UniqueFd.h"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace kmodd {

/// A module file opened for reading, and its size and identity as checked.
struct TrustedModuleFile {
    UniqueFd fd;
    std::uint64_t size = 0; ///< from the fstat of fd that passed the checks
    FileIdentity identity;  ///< from the same fstat
};

/// Opens a module file for reading so that what is checked is what gets loaded: the path must
/// lie beneath one of trustedRoots, and every step from that root down is opened relative to
/// the previous one without following symlinks and checked on the opened descriptor. The root
/// and every directory below it must be owned by root and not writable by group or others; the
/// file must be a regular file owned by root and not writable by group or others.
/// Throws Error(Untrusted) naming the file and the rule it breaks.
TrustedModuleFile openTrustedModule(const std::vector<std::filesystem::path>& trustedRoots,
                                    const std::filesystem::path& file);

} // namespace kmodd

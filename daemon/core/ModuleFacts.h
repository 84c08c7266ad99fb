#pragma once

#include "Error.h"
#include "FileIdentity.h"
#include "ModInfo.h"
#include "ModuleIndex.h"

#include <filesystem>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace kmodd {

/// What kmodd needs to know of a module file's contents, for one identity of that file: the
/// modinfo entries it uses (version, signer, the declared parameters and their types).
struct ModuleFacts {
    FileIdentity identity; ///< of the descriptor the facts were read through
    ModInfo modinfo;

    /// The first value of key, or "".
    std::string first(std::string_view key) const;
};

/// One file's facts, or why they could not be read.
using ModuleFactsOrError = std::variant<std::shared_ptr<const ModuleFacts>, Error>;

/// Opens file through the trust rules (openTrustedModule) and reads its facts through that
/// descriptor, decompressing a compressed file in memory. Slow for a large compressed file: call
/// it off the loop. Throws Error(Untrusted) for trust failures and Error(KernelRejected) for a
/// file that is not a readable kernel module, naming the module.
ModuleFacts readModuleFacts(const std::vector<std::filesystem::path>& trustedRoots,
                            const ModuleFile& file);

} // namespace kmodd

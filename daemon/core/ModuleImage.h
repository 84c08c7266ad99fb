#pragma once

#include "Compression.h"
#include "FileIdentity.h"
#include "ModInfo.h"
#include "ModuleIndex.h"
#include "UniqueFd.h"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kmodd {

/// A module file opened through the trusted-path rules, after authorization: the descriptor
/// that finit_module gets, the identity of what was checked, and (only when the kernel cannot
/// decompress the file itself) the decompressed image for init_module.
struct ModuleImage {
    ModuleFile file;
    UniqueFd fd;
    FileIdentity identity; ///< from the fstat of fd that passed the checks
    Compression compression = Compression::None;
    bool kernelDecompresses = false; ///< pass MODULE_INIT_COMPRESSED_FILE to finit_module
    std::vector<std::byte> image;    ///< decompressed bytes, for init_module; else empty
    /// Why the kernel cannot decompress this compressed file, when image holds it decompressed.
    std::string kernelCannotDecompress;
};

/// Opens and checks one module file, and decompresses it when the kernel cannot: when
/// kernelCompression (the kernel's /sys/module/compression) does not name its format, or it is
/// an xz stream whose check Linux's xz decoder does not take (only CRC32 or none).
/// Throws Error(Untrusted) for trust failures and Error(KernelRejected) for unreadable, corrupt
/// or oversized contents, naming the module.
ModuleImage openModuleImage(const std::vector<std::filesystem::path>& trustedRoots,
                            const ModuleFile& file, std::string_view kernelCompression);

/// The modinfo of the opened file, read through its descriptor (only the parts of an
/// uncompressed file that hold it) or from its decompressed image: what the kernel will get.
/// Throws Error(KernelRejected) naming the module.
ModInfo readModInfo(const ModuleImage& module);

} // namespace kmodd

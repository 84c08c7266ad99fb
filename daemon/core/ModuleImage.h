#pragma once

#include "Compression.h"
#include "ModInfo.h"
#include "ModuleIndex.h"
#include "UniqueFd.h"

#include <cstddef>
#include <filesystem>
#include <string_view>
#include <vector>

namespace kmodd {

/// A module file opened through the trusted-path rules: the descriptor that finit_module gets,
/// the modinfo read through that same descriptor (only the parts of an uncompressed file that
/// hold it; all of a compressed one, decompressed), and (only when the kernel cannot
/// decompress the file itself) the decompressed image for init_module.
struct ModuleImage {
    ModuleFile file;
    UniqueFd fd;
    Compression compression = Compression::None;
    bool kernelDecompresses = false; ///< pass MODULE_INIT_COMPRESSED_FILE to finit_module
    std::vector<std::byte> image;    ///< decompressed bytes, for init_module; else empty
    ModInfo modinfo;
};

/// Opens, checks and reads one module file. kernelCompression is the kernel's
/// /sys/module/compression. Throws Error(Untrusted) for trust failures and
/// Error(KernelRejected) for unreadable, corrupt or non-ELF contents, naming the module.
ModuleImage openModuleImage(const std::vector<std::filesystem::path>& trustedRoots,
                            const ModuleFile& file, std::string_view kernelCompression);

/// A module the kernel was to decompress (kernelDecompresses), read again through its descriptor
/// and decompressed by kmodd, for init_module when finit_module refused the compressed file.
/// Throws as openModuleImage does.
std::vector<std::byte> decompressedImage(const ModuleImage& module);

} // namespace kmodd

#include "ModuleImage.h"

#include "Error.h"
#include "TrustedFile.h"
#include "WholeFile.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <unistd.h>

namespace kmodd {
namespace {

[[noreturn]] void readFailed(const ModuleFile& file) {
    throw Error(ErrorKind::Failed, "cannot load " + file.name.str() + ": reading " +
                                       file.path.string() + " failed: " + std::strerror(errno));
}

Error tooLarge(const ModuleFile& file) {
    return Error(ErrorKind::KernelRejected, "cannot load " + file.name.str() + ": " +
                                                file.path.string() +
                                                " is larger than any kernel module");
}

std::vector<std::byte> readAll(int fd, const ModuleFile& file) {
    auto data = readWholeFile<std::vector<std::byte>>(fd, maxModuleSize);
    if (!data && errno == EFBIG) {
        throw tooLarge(file);
    }
    if (!data) {
        readFailed(file);
    }
    return std::move(*data);
}

// Enough of the start of the file for every compression magic and the xz Stream Flags.
std::vector<std::byte> readMagic(int fd, const ModuleFile& file) {
    std::array<std::byte, 8> magic{};
    ssize_t n;
    do {
        n = ::pread(fd, magic.data(), magic.size(), 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        readFailed(file);
    }
    return {magic.begin(), magic.begin() + n};
}

Error inFile(const ModuleFile& file, const Error& error) {
    return Error(error.kind(), "cannot load " + file.name.str() + " from " + file.path.string() +
                                   ": " + error.what());
}

std::vector<std::byte> decompressedImage(const ModuleImage& module) {
    const std::vector<std::byte> contents = readAll(module.fd.get(), module.file);
    try {
        return decompress(module.compression, contents);
    } catch (const Error& error) {
        throw inFile(module.file, error);
    }
}

// Why the kernel cannot decompress a file compressed in compression that starts with header;
// empty when it can.
std::string whyTheKernelCannotDecompress(Compression compression, std::span<const std::byte> header,
                                         std::string_view kernelCompression) {
    if (kernelCompression.empty()) {
        return "it has no module decompressor (no /sys/module/compression)";
    }
    if (compressionName(compression) != kernelCompression) {
        return "it decompresses only " + std::string(kernelCompression) + " modules";
    }
    if (compression != Compression::Xz) {
        return {};
    }
    // Linux's xz decoder verifies only CRC32 and refuses a stream with another check:
    // finit_module fails with EINVAL, as it does for a module refusing its parameters.
    const std::optional<XzCheck> check = xzCheck(header);
    if (!check) {
        return "its xz stream header is not valid";
    }
    if (*check != XzCheck::None && *check != XzCheck::Crc32) {
        return "its xz stream uses a " + xzCheckName(*check) +
               " check, the kernel's decompressor takes only CRC32 or none";
    }
    return {};
}

} // namespace

ModuleImage openModuleImage(const std::vector<std::filesystem::path>& trustedRoots,
                            const ModuleFile& file, std::string_view kernelCompression) {
    TrustedModuleFile opened = openTrustedModule(trustedRoots, file.path);
    if (opened.size > maxModuleSize) {
        throw tooLarge(file);
    }
    ModuleImage module{file, std::move(opened.fd), opened.identity, Compression::None, false, {},
                       {}};
    const std::vector<std::byte> header = readMagic(module.fd.get(), file);
    module.compression = detectCompression(header);
    if (module.compression == Compression::None) {
        return module;
    }
    module.kernelCannotDecompress =
        whyTheKernelCannotDecompress(module.compression, header, kernelCompression);
    module.kernelDecompresses = module.kernelCannotDecompress.empty();
    if (!module.kernelDecompresses) {
        module.image = decompressedImage(module);
    }
    return module;
}

ModInfo readModInfo(const ModuleImage& module) {
    try {
        if (!module.image.empty()) {
            return ModInfo::read(module.image);
        }
        if (module.compression == Compression::None) {
            // finit_module reads the file itself: read only what modinfo needs.
            return ModInfo::readFile(module.fd.get(), module.identity.size);
        }
    } catch (const Error& error) {
        throw inFile(module.file, error);
    }
    const std::vector<std::byte> contents = decompressedImage(module);
    try {
        return ModInfo::read(contents);
    } catch (const Error& error) {
        throw inFile(module.file, error);
    }
}

} // namespace kmodd

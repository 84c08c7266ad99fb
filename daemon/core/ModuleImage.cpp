#include "ModuleImage.h"

#include "Error.h"
#include "TrustedFile.h"

#include <array>
#include <cerrno>
#include <cstring>
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

// From offset 0, whatever the descriptor's position: a module may be read twice.
std::vector<std::byte> readAll(int fd, const ModuleFile& file) {
    std::vector<std::byte> data;
    std::byte buffer[65536];
    for (;;) {
        const ssize_t n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(data.size()));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            readFailed(file);
        }
        if (n == 0) {
            return data;
        }
        if (data.size() + static_cast<std::size_t>(n) > maxModuleSize) {
            throw tooLarge(file);
        }
        data.insert(data.end(), buffer, buffer + n);
    }
}

// Enough of the start of the file for every compression magic.
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

} // namespace

ModuleImage openModuleImage(const std::vector<std::filesystem::path>& trustedRoots,
                            const ModuleFile& file, std::string_view kernelCompression) {
    TrustedModuleFile opened = openTrustedModule(trustedRoots, file.path);
    const std::uint64_t size = opened.size;
    ModuleImage module{file, std::move(opened.fd), Compression::None, false, {}, {}};
    const int fd = module.fd.get();
    if (size > maxModuleSize) {
        throw tooLarge(file);
    }
    module.compression = detectCompression(readMagic(fd, file));
    std::vector<std::byte> contents;
    if (module.compression != Compression::None) {
        contents = readAll(fd, file);
    }
    try {
        if (module.compression == Compression::None) {
            // finit_module reads the file itself: read only what modinfo needs.
            module.modinfo = ModInfo::readFile(fd, size);
            return module;
        }
        contents = decompress(module.compression, contents);
        module.kernelDecompresses = compressionName(module.compression) == kernelCompression;
        module.modinfo = ModInfo::read(contents);
        if (!module.kernelDecompresses) {
            module.image = std::move(contents);
        }
    } catch (const Error& error) {
        throw inFile(file, error);
    }
    return module;
}

std::vector<std::byte> decompressedImage(const ModuleImage& module) {
    try {
        return decompress(module.compression, readAll(module.fd.get(), module.file));
    } catch (const Error& error) {
        throw inFile(module.file, error);
    }
}

} // namespace kmodd

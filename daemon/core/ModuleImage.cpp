#include "ModuleImage.h"

#include "Error.h"
#include "TrustedFile.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace kmodd {
namespace {

std::vector<std::byte> readAll(int fd, const ModuleFile& file) {
    std::vector<std::byte> data;
    std::byte buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw Error(ErrorKind::Failed, "cannot load " + file.name.str() + ": reading " +
                                               file.path.string() +
                                               " failed: " + std::strerror(errno));
        }
        if (n == 0) {
            return data;
        }
        if (data.size() + static_cast<std::size_t>(n) > maxModuleSize) {
            throw Error(ErrorKind::KernelRejected, "cannot load " + file.name.str() + ": " +
                                                       file.path.string() +
                                                       " is larger than any kernel module");
        }
        data.insert(data.end(), buffer, buffer + n);
    }
}

} // namespace

ModuleImage openModuleImage(const std::vector<std::filesystem::path>& trustedRoots,
                            const ModuleFile& file, std::string_view kernelCompression) {
    ModuleImage module{
        file, openTrustedModule(trustedRoots, file.path), Compression::None, false, {}, {}};
    std::vector<std::byte> contents = readAll(module.fd.get(), file);
    try {
        module.compression = detectCompression(contents);
        if (module.compression != Compression::None) {
            contents = decompress(module.compression, contents);
            module.kernelDecompresses = compressionName(module.compression) == kernelCompression;
        }
        module.modinfo = ModInfo::read(contents);
    } catch (const Error& error) {
        throw Error(error.kind(), "cannot load " + file.name.str() + " from " + file.path.string() +
                                      ": " + error.what());
    }
    if (module.compression != Compression::None && !module.kernelDecompresses) {
        module.image = std::move(contents);
    }
    return module;
}

} // namespace kmodd

// decompress: any bytes as a gzip, xz and zstd module image, with a small output limit.
#include "Compression.h"
#include "FuzzChecks.h"

#include <span>

using namespace kmodd;

namespace {

constexpr std::size_t limit = std::size_t{1} << 20;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto input = std::as_bytes(std::span(data, size));
    detectCompression(input);
    for (const Compression compression : {Compression::Gzip, Compression::Xz, Compression::Zstd}) {
        const auto output = fuzz::parsedOrRefused(
            ErrorKind::KernelRejected, [&] { return decompress(compression, input, limit); });
        fuzz::require(!output || output->size() <= limit, "decompressing stays within the limit");
    }
    return 0;
}

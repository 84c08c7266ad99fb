#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace kmodd {

enum class Compression { None, Gzip, Xz, Zstd };

/// Recognises a compressed module by its magic bytes (not its file name).
Compression detectCompression(std::span<const std::byte> data);

/// The name the kernel uses in /sys/module/compression: "gzip", "xz", "zstd"; "" for None.
std::string_view compressionName(Compression compression);

/// Upper bound on a decompressed module: larger output is refused, not allocated.
inline constexpr std::size_t maxModuleSize = std::size_t{512} << 20;

/// Decompresses a whole module image in memory. Throws Error(KernelRejected) when the data is
/// corrupt or would exceed limit.
std::vector<std::byte> decompress(Compression compression, std::span<const std::byte> data,
                                  std::size_t limit = maxModuleSize);

} // namespace kmodd

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kmodd {

enum class Compression { None, Gzip, Xz, Zstd };

/// Recognises a compressed module by its magic bytes (not its file name).
Compression detectCompression(std::span<const std::byte> data);

/// The name the kernel uses in /sys/module/compression: "gzip", "xz", "zstd"; "" for None.
std::string_view compressionName(Compression compression);

/// The integrity check of an xz stream, numbered as in its stream header. The format reserves
/// the other IDs up to 0x0f.
enum class XzCheck : std::uint8_t { None = 0x00, Crc32 = 0x01, Crc64 = 0x04, Sha256 = 0x0a };

/// The check declared by the stream header at the start of xz data (its Stream Flags, bytes 6
/// and 7); nullopt when data does not start with an xz magic and valid Stream Flags.
std::optional<XzCheck> xzCheck(std::span<const std::byte> data);

/// "none", "CRC32", "CRC64", "SHA-256", or "ID n" for a reserved one.
std::string xzCheckName(XzCheck check);

/// Upper bound on a decompressed module: larger output is refused, not allocated.
inline constexpr std::size_t maxModuleSize = std::size_t{512} << 20;

/// Decompresses a whole module image in memory. Throws Error(KernelRejected) when the data is
/// corrupt or would exceed limit.
std::vector<std::byte> decompress(Compression compression, std::span<const std::byte> data,
                                  std::size_t limit = maxModuleSize);

} // namespace kmodd

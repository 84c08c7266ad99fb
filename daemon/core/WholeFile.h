#pragma once

#include <cstddef>
#include <limits>
#include <optional>

namespace kmodd {

/// Everything in fd from offset 0 to its end, as the kernel reads a module: with pread, so the
/// descriptor's position neither matters nor moves; EINTR is retried. Buffer is std::string or
/// std::vector<std::byte>. nullopt with errno set when a read fails, or with EFBIG when the file
/// holds more than maxSize bytes (found out before more is kept).
template <class Buffer>
std::optional<Buffer> readWholeFile(int fd,
                                    std::size_t maxSize = std::numeric_limits<std::size_t>::max());

} // namespace kmodd

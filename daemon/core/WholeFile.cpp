#include "WholeFile.h"

#include <cerrno>
#include <string>
#include <unistd.h>
#include <vector>

namespace kmodd {

template <class Buffer> std::optional<Buffer> readWholeFile(int fd, std::size_t maxSize) {
    Buffer data;
    typename Buffer::value_type buffer[65536];
    for (;;) {
        const ssize_t n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(data.size()));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return std::nullopt;
        }
        if (n == 0) {
            return data;
        }
        if (data.size() + static_cast<std::size_t>(n) > maxSize) {
            errno = EFBIG;
            return std::nullopt;
        }
        data.insert(data.end(), buffer, buffer + n);
    }
}

template std::optional<std::string> readWholeFile(int fd, std::size_t maxSize);
template std::optional<std::vector<std::byte>> readWholeFile(int fd, std::size_t maxSize);

} // namespace kmodd

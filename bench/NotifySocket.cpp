#include "NotifySocket.h"

#include <array>
#include <cerrno>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <system_error>

namespace kmodd::bench {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

bool hasLine(std::string_view message, std::string_view line) {
    std::size_t start = 0;
    while (start <= message.size()) {
        const auto end = std::min(message.find('\n', start), message.size());
        if (message.substr(start, end - start) == line) {
            return true;
        }
        start = end + 1;
    }
    return false;
}

} // namespace

NotifySocket::NotifySocket(std::filesystem::path path)
    : path_(std::move(path)), fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    if (!fd_) {
        fail("cannot create the notify socket");
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path_.string().size() >= sizeof address.sun_path) {
        throw std::system_error(ENAMETOOLONG, std::generic_category(), path_.string());
    }
    path_.string().copy(address.sun_path, sizeof address.sun_path - 1);
    if (::bind(fd_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        fail("cannot bind the notify socket " + path_.string());
    }
}

NotifySocket::~NotifySocket() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
}

std::optional<Clock::time_point> NotifySocket::waitFor(std::string_view assignment,
                                                       std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::array<char, 4096> buffer{};
    for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
        pollfd watched{fd_.get(), POLLIN, 0};
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
        if (::poll(&watched, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) {
            fail("cannot wait on the notify socket");
        }
        const ssize_t size = ::recv(fd_.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
        const auto received = Clock::now();
        if (size > 0 && hasLine({buffer.data(), static_cast<std::size_t>(size)}, assignment)) {
            return received;
        }
    }
    return std::nullopt;
}

} // namespace kmodd::bench

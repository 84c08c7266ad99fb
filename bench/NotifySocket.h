#pragma once

#include "UniqueFd.h"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string_view>

namespace kmodd::bench {

/// The socket systemd gives a Type=notify service as $NOTIFY_SOCKET: a datagram socket that
/// receives sd_notify() messages such as "READY=1".
class NotifySocket {
  public:
    /// Binds a socket at path (which must not exist). Throws std::system_error.
    explicit NotifySocket(std::filesystem::path path);
    ~NotifySocket();
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    /// The value for NOTIFY_SOCKET.
    const std::filesystem::path& path() const noexcept { return path_; }

    /// Waits for a message with the line assignment (e.g. "READY=1"); returns when it arrived,
    /// or nothing when timeout passed first.
    std::optional<std::chrono::steady_clock::time_point> waitFor(std::string_view assignment,
                                                                 std::chrono::milliseconds timeout);

  private:
    std::filesystem::path path_;
    UniqueFd fd_;
};

} // namespace kmodd::bench

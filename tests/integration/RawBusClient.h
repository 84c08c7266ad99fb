#pragma once

#include "UniqueFd.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kmodd::testing {

/// A D-Bus client that marshals its messages itself, so that it can send what no D-Bus library
/// will: a string with a NUL inside, or one that is not UTF-8. It speaks just enough of the
/// protocol for that: EXTERNAL authentication, Hello, and method calls whose arguments are
/// all strings.
class RawBusClient {
  public:
    /// Connects to a "unix:path=..." address as the calling user and says Hello.
    explicit RawBusClient(const std::string& address);

    /// Sends a method call with string arguments (signature "s..."); returns its serial.
    std::uint32_t call(const std::string& destination, const std::string& path,
                       const std::string& interface, const std::string& member,
                       const std::vector<std::string>& arguments);

    /// "return" or the error name of the reply to serial; nullopt when the bus closes the
    /// connection before it comes. Throws std::runtime_error when neither happens in time.
    std::optional<std::string> replyTo(std::uint32_t serial, std::chrono::milliseconds timeout);

  private:
    void send(const std::string& bytes);
    /// Reads more into received_; false when the peer closed the connection.
    bool receive(std::chrono::steady_clock::time_point deadline);

    UniqueFd socket_;
    std::string received_;
    std::uint32_t lastSerial_ = 0;
};

} // namespace kmodd::testing

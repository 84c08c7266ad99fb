#include "RawBusClient.h"

#include <bit>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace kmodd::testing {
namespace {

using namespace std::chrono_literals;

// D-Bus message types and header field codes (the specification's "Message Format").
constexpr char methodCall = 1;
constexpr char methodReturn = 2;
constexpr char errorReply = 3;
enum HeaderField : char {
    path = 1,
    interface = 2,
    member = 3,
    errorName = 4,
    replySerial = 5,
    destination = 6,
    signature = 8
};

// Appends values in the wire format, in this host's byte order, each at its alignment.
class Marshaller {
  public:
    void align(std::size_t boundary) {
        bytes.resize((bytes.size() + boundary - 1) / boundary * boundary);
    }
    void byte(char value) { bytes += value; }
    void uint32(std::uint32_t value) {
        align(4);
        bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
    }
    void string(const std::string& value) {
        uint32(static_cast<std::uint32_t>(value.size()));
        bytes += value;
        bytes += '\0';
    }
    void signature(const std::string& value) {
        byte(static_cast<char>(value.size()));
        bytes += value;
        bytes += '\0';
    }

    std::string bytes;
};

// Reads a message of this host's byte order from its first byte on.
class Unmarshaller {
  public:
    Unmarshaller(const std::string& message, std::size_t at) : message_(message), at_(at) {}

    std::size_t at() const noexcept { return at_; }
    void align(std::size_t boundary) { at_ = (at_ + boundary - 1) / boundary * boundary; }
    char byte() { return message_.at(at_++); }
    std::uint32_t uint32() {
        align(4);
        std::uint32_t value = 0;
        message_.at(at_ + sizeof value - 1); // throws rather than read past the end
        std::memcpy(&value, message_.data() + at_, sizeof value);
        at_ += sizeof value;
        return value;
    }
    std::string string(std::size_t length) {
        std::string value = message_.substr(at_, length);
        at_ += length + 1;
        return value;
    }

  private:
    const std::string& message_;
    std::size_t at_;
};

std::size_t aligned8(std::size_t size) {
    return (size + 7) / 8 * 8;
}

std::string methodCallMessage(std::uint32_t serial, const std::string& destinationName,
                              const std::string& objectPath, const std::string& interfaceName,
                              const std::string& memberName,
                              const std::vector<std::string>& arguments) {
    Marshaller body;
    for (const std::string& argument : arguments) {
        body.string(argument);
    }
    // The header fields start at offset 16, a multiple of 8: aligning in a buffer of their own
    // gives the same padding.
    Marshaller fields;
    const auto field = [&](HeaderField code, char type, const std::string& value) {
        fields.align(8);
        fields.byte(code);
        fields.signature(std::string(1, type));
        type == 'g' ? fields.signature(value) : fields.string(value);
    };
    field(path, 'o', objectPath);
    field(interface, 's', interfaceName);
    field(member, 's', memberName);
    field(destination, 's', destinationName);
    if (!arguments.empty()) {
        field(signature, 'g', std::string(arguments.size(), 's'));
    }
    Marshaller message;
    message.byte(std::endian::native == std::endian::little ? 'l' : 'B');
    message.byte(methodCall);
    message.byte(0); // flags
    message.byte(1); // protocol version
    message.uint32(static_cast<std::uint32_t>(body.bytes.size()));
    message.uint32(serial);
    message.uint32(static_cast<std::uint32_t>(fields.bytes.size()));
    message.bytes += fields.bytes;
    message.align(8);
    return message.bytes + body.bytes;
}

} // namespace

RawBusClient::RawBusClient(const std::string& address) {
    const std::string prefix = "unix:path=";
    if (!address.starts_with(prefix)) {
        throw std::runtime_error("not a unix:path= bus address: " + address);
    }
    const std::string socketPath = address.substr(prefix.size(), address.find(',') - prefix.size());
    socket_ = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un peer{};
    peer.sun_family = AF_UNIX;
    socketPath.copy(peer.sun_path, sizeof peer.sun_path - 1);
    if (!socket_ ||
        ::connect(socket_.get(), reinterpret_cast<const sockaddr*>(&peer), sizeof peer) != 0) {
        throw std::runtime_error("cannot connect to " + address + ": " + std::strerror(errno));
    }
    std::string uid;
    for (const char digit : std::to_string(::getuid())) {
        static constexpr char hex[] = "0123456789abcdef";
        uid += hex[static_cast<unsigned char>(digit) >> 4];
        uid += hex[digit & 0xf];
    }
    send(std::string(1, '\0') + "AUTH EXTERNAL " + uid + "\r\n");
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (received_.find("\r\n") == std::string::npos) {
        if (!receive(deadline)) {
            throw std::runtime_error("the bus closed the connection during authentication");
        }
    }
    if (!received_.starts_with("OK ")) {
        throw std::runtime_error("the bus refused authentication: " + received_);
    }
    received_.clear();
    send("BEGIN\r\n");
    const auto hello =
        call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", {});
    if (replyTo(hello, 10s) != "return") {
        throw std::runtime_error("the bus did not answer Hello");
    }
}

std::uint32_t RawBusClient::call(const std::string& destinationName, const std::string& objectPath,
                                 const std::string& interfaceName, const std::string& memberName,
                                 const std::vector<std::string>& arguments) {
    send(methodCallMessage(++lastSerial_, destinationName, objectPath, interfaceName, memberName,
                           arguments));
    return lastSerial_;
}

std::optional<std::string> RawBusClient::replyTo(std::uint32_t serial,
                                                 std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        constexpr std::size_t fixedHeader = 16;
        while (received_.size() < fixedHeader) {
            if (!receive(deadline)) {
                return std::nullopt;
            }
        }
        Unmarshaller header(received_, 1);
        const char type = header.byte();
        header.align(4);
        const std::uint32_t bodyLength = header.uint32();
        header.uint32(); // serial
        const std::uint32_t fieldsLength = header.uint32();
        const std::size_t total = aligned8(fixedHeader + fieldsLength) + bodyLength;
        while (received_.size() < total) {
            if (!receive(deadline)) {
                return std::nullopt;
            }
        }
        std::optional<std::uint32_t> repliesTo;
        std::string error;
        while (header.at() < fixedHeader + fieldsLength) {
            header.align(8);
            const char code = header.byte();
            const std::string fieldType = header.string(static_cast<unsigned char>(header.byte()));
            if (fieldType == "u") {
                const std::uint32_t value = header.uint32();
                repliesTo = code == replySerial ? std::optional(value) : repliesTo;
            } else if (fieldType == "g") {
                header.string(static_cast<unsigned char>(header.byte()));
            } else {
                const std::string value = header.string(header.uint32());
                error = code == errorName ? value : error;
            }
        }
        received_.erase(0, total);
        if ((type == methodReturn || type == errorReply) && repliesTo == serial) {
            return type == methodReturn ? "return" : error;
        }
    }
}

void RawBusClient::send(const std::string& bytes) {
    if (::send(socket_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(bytes.size())) {
        throw std::runtime_error(std::string("cannot write to the bus: ") + std::strerror(errno));
    }
}

bool RawBusClient::receive(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd readable{socket_.get(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&readable, 1, static_cast<int>(left.count())) != 1) {
        throw std::runtime_error("no answer from the bus in time");
    }
    char buffer[4096];
    const ssize_t n = ::read(socket_.get(), buffer, sizeof buffer);
    if (n <= 0) {
        return false; // closed, or reset by the bus
    }
    received_.append(buffer, static_cast<std::size_t>(n));
    return true;
}

} // namespace kmodd::testing

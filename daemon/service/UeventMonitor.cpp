#include "UeventMonitor.h"

#include <array>
#include <cerrno>
#include <linux/netlink.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <system_error>

namespace kmodd {
namespace {

constexpr unsigned kernelUeventGroup = 1;
constexpr int receiveBufferSize = 1 << 20;

} // namespace

bool isModuleUevent(std::string_view datagram) {
    const auto headerEnd = datagram.find('\0');
    if (headerEnd == std::string_view::npos ||
        datagram.substr(0, headerEnd).find('@') == std::string_view::npos) {
        return false;
    }
    for (auto field = datagram.substr(headerEnd + 1); !field.empty();) {
        const auto end = field.find('\0');
        if (field.substr(0, end) == "SUBSYSTEM=module") {
            return true;
        }
        if (end == std::string_view::npos) {
            break;
        }
        field.remove_prefix(end + 1);
    }
    return false;
}

UeventMonitor::UeventMonitor(sd_event* event, std::function<void()> onModuleEvent)
    : onModuleEvent_(std::move(onModuleEvent)),
      socket_(
          ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT)) {
    if (!socket_) {
        throw std::system_error(errno, std::generic_category(), "cannot open a uevent socket");
    }
    // A burst of events (a driver probing many devices) must not overflow the socket; the
    // forced size needs CAP_NET_ADMIN, so fall back to what the limits allow.
    if (::setsockopt(socket_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &receiveBufferSize,
                     sizeof receiveBufferSize) != 0) {
        ::setsockopt(socket_.get(), SOL_SOCKET, SO_RCVBUF, &receiveBufferSize,
                     sizeof receiveBufferSize);
    }
    sockaddr_nl address{};
    address.nl_family = AF_NETLINK;
    address.nl_groups = kernelUeventGroup;
    if (::bind(socket_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        throw std::system_error(errno, std::generic_category(),
                                "cannot listen to the kernel's uevents");
    }
    sd_event_source* source = nullptr;
    if (const int r = sd_event_add_io(event, &source, socket_.get(), EPOLLIN, onReadable, this);
        r < 0) {
        throw std::system_error(-r, std::generic_category(), "cannot watch the uevent socket");
    }
    source_.reset(source);
}

// Reads every queued datagram; true if one was a module event or some were lost.
bool UeventMonitor::drain() const {
    bool relevant = false;
    std::array<char, 8192> buffer;
    for (;;) {
        sockaddr_nl sender{};
        iovec vector{buffer.data(), buffer.size()};
        msghdr message{};
        message.msg_name = &sender;
        message.msg_namelen = sizeof sender;
        message.msg_iov = &vector;
        message.msg_iovlen = 1;
        const ssize_t size = ::recvmsg(socket_.get(), &message, MSG_DONTWAIT);
        if (size < 0) {
            if (errno == ENOBUFS) {
                relevant = true;
                continue;
            }
            if (errno == EINTR) {
                continue;
            }
            return relevant;
        }
        // Only the kernel (port 0) speaks for the kernel.
        if (sender.nl_pid == 0 && isModuleUevent({buffer.data(), static_cast<std::size_t>(size)})) {
            relevant = true;
        }
    }
}

int UeventMonitor::onReadable(sd_event_source*, int, std::uint32_t, void* self) {
    auto* monitor = static_cast<UeventMonitor*>(self);
    if (monitor->drain()) {
        monitor->onModuleEvent_();
    }
    return 0;
}

} // namespace kmodd

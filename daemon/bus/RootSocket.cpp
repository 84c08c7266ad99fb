#include "RootSocket.h"

#include "RequestLimits.h"

#include <cerrno>
#include <cstring>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <system_error>
#include <systemd/sd-id128.h>
#include <unistd.h>

namespace kmodd {
namespace {

// Before the system bus's sources (priority 0): root is served first.
constexpr int rootPriority = SD_EVENT_PRIORITY_IMPORTANT;
constexpr int backlog = 16;

[[noreturn]] void fail(int error, const std::string& what) {
    throw std::system_error(error, std::generic_category(), what);
}

UniqueFd listenOn(const std::filesystem::path& path) {
    // Bound and listening beside its path, then renamed over it: a client never finds a socket
    // there that refuses it, and one left by a kmodd that did not exit cleanly is replaced.
    // The bus name is ours by now, so no other kmodd serves this path.
    const std::string name = path.string();
    const std::string listening = name + "." + std::to_string(::getpid());
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (listening.size() >= sizeof(address.sun_path)) {
        fail(ENAMETOOLONG, "cannot listen on " + name);
    }
    listening.copy(address.sun_path, listening.size());
    if (::mkdir(path.parent_path().c_str(), 0700) != 0 && errno != EEXIST) {
        fail(errno, "cannot make " + path.parent_path().string());
    }
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) {
        fail(errno, "cannot make a socket for " + name);
    }
    ::unlink(listening.c_str());
    const mode_t previous = ::umask(0177);
    const int bound =
        ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address));
    const int bindError = errno;
    ::umask(previous);
    if (bound != 0) {
        fail(bindError, "cannot bind " + listening);
    }
    if (::listen(fd.get(), backlog) != 0 || ::rename(listening.c_str(), name.c_str()) != 0) {
        const int error = errno;
        ::unlink(listening.c_str());
        fail(error, "cannot listen on " + name);
    }
    return fd;
}

} // namespace

void RootSocket::BusUnref::operator()(sd_bus* bus) const {
    sd_bus_detach_event(bus);
    // No flush: a root client that stopped reading must not hold kmodd up.
    sd_bus_close_unref(bus);
}

RootSocket::RootSocket(sd_event* event, std::filesystem::path path, Answer answer, Post post,
                       std::shared_ptr<spdlog::logger> logger)
    : event_(event), path_(std::move(path)), answer_(std::move(answer)), post_(std::move(post)),
      logger_(std::move(logger)), listening_(listenOn(path_)) {
    sd_event_source* source = nullptr;
    if (const int result =
            sd_event_add_io(event_, &source, listening_.get(), EPOLLIN, onConnect, this);
        result < 0) {
        fail(-result, "cannot watch " + path_.string());
    }
    source_.reset(source);
    sd_event_source_set_priority(source, rootPriority);
}

RootSocket::~RootSocket() {
    source_.reset();
    connections_.clear();
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
}

int RootSocket::onConnect(sd_event_source*, int, std::uint32_t, void* self) {
    static_cast<RootSocket*>(self)->accept();
    return 0;
}

void RootSocket::accept() {
    UniqueFd peerFd(::accept4(listening_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!peerFd) {
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
            logger_->warn("cannot accept a connection on {}: {}", path_.string(),
                          std::strerror(errno));
        }
        return;
    }
    ucred credentials{};
    socklen_t size = sizeof(credentials);
    if (::getsockopt(peerFd.get(), SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0) {
        logger_->warn("cannot tell who connected to {}: {}", path_.string(), std::strerror(errno));
        return;
    }
    if (credentials.uid != 0) {
        if (refusedPeers_.admit(credentials.uid, RefusalRateLimit::Clock::now()).log) {
            logger_->warn("closed a connection to {} from uid {} (pid {}): only root is served "
                          "there",
                          path_.string(), credentials.uid, credentials.pid);
        }
        return;
    }
    if (connections_.size() >= requestLimit::rootConnections) {
        logger_->warn("closed a connection to {} from pid {}: {} connections are open already",
                      path_.string(), credentials.pid, requestLimit::rootConnections);
        return;
    }
    serve(std::move(peerFd),
          {.uid = credentials.uid, .pid = credentials.pid, .unit = unitOf(credentials.pid)});
}

void RootSocket::serve(UniqueFd peerFd, const Caller& peer) {
    Connection& connection = connections_.emplace_back(Connection{this, peer});
    const auto failed = [&](int result, const char* what) {
        logger_->warn("cannot serve pid {} on {}: {}: {}", peer.pid, path_.string(), what,
                      std::strerror(-result));
        connections_.pop_back();
    };
    sd_bus* bus = nullptr;
    if (const int result = sd_bus_new(&bus); result < 0) {
        return failed(result, "cannot make a connection");
    }
    connection.bus.reset(bus);
    sd_id128_t id{};
    if (const int result = sd_id128_randomize(&id); result < 0) {
        return failed(result, "cannot make a server id");
    }
    const int fd = peerFd.get();
    int result = sd_bus_set_fd(bus, fd, fd);
    if (result >= 0) {
        peerFd.release(); // the connection closes it from now on
        result = sd_bus_set_server(bus, 1, id);
    }
    if (result < 0) {
        return failed(result, "cannot set the connection up");
    }
    sd_bus_slot* slot = nullptr;
    if (result = sd_bus_add_filter(bus, &slot, onMessage, &connection); result < 0) {
        return failed(result, "cannot receive its calls");
    }
    connection.messages.reset(slot);
    if (result = sd_bus_match_signal(bus, &slot, nullptr, "/org/freedesktop/DBus/Local",
                                     "org.freedesktop.DBus.Local", "Disconnected", onDisconnected,
                                     &connection);
        result < 0) {
        return failed(result, "cannot watch for its end");
    }
    connection.disconnected.reset(slot);
    if (result = sd_bus_start(bus); result < 0) {
        return failed(result, "cannot start the connection");
    }
    if (result = sd_bus_attach_event(bus, event_, rootPriority); result < 0) {
        return failed(result, "cannot serve it from the event loop");
    }
}

int RootSocket::onMessage(sd_bus_message* message, void* data, sd_bus_error* error) {
    const auto* connection = static_cast<const Connection*>(data);
    return connection->socket->answer_(message, connection->peer, error);
}

int RootSocket::onDisconnected(sd_bus_message*, void* data, sd_bus_error*) {
    const auto* connection = static_cast<const Connection*>(data);
    connection->socket->release(connection);
    return 0;
}

void RootSocket::release(const Connection* connection) {
    // Not from inside the connection's own callback: sd-bus is still using it.
    post_([this, connection] {
        connections_.remove_if([&](const Connection& open) { return &open == connection; });
    });
}

} // namespace kmodd

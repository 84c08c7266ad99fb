#pragma once

#include "Caller.h"
#include "RefusalRateLimit.h"
#include "SdEvent.h"
#include "UniqueFd.h"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <spdlog/logger.h>
#include <systemd/sd-bus.h>

namespace kmodd {

/// kmodd's root socket (wire::rootSocketPath): root's way to kmodd that does not go through
/// the bus daemon, as systemctl reaches systemd through /run/systemd/private. A flood of bus
/// messages from other users then cannot delay root, and a root client needs no Hello, no
/// bus-driver round trip for its credentials and no bus daemon in between.
/// Each accepted peer must be uid 0 (SO_PEERCRED) and becomes a direct D-Bus connection whose
/// messages go to answer(); the socket is 0600 in kmodd's 0700 runtime directory besides. At
/// most requestLimit::rootConnections are served; beyond them, and for any other uid, a peer is
/// closed at once. Its sources run before the bus's (a higher sd-event priority). Loop thread only.
class RootSocket {
  public:
    /// An sd-bus message handler for a message from peer: see ManagerBusObject::answerDirect.
    using Answer =
        std::function<int(sd_bus_message* message, const Caller& peer, sd_bus_error* error)>;
    /// Runs a task on the loop later: a connection is released outside its own callbacks.
    using Post = std::function<void(std::function<void()>)>;

    /// Binds path (replacing a stale socket; the parent directory is made if missing) and
    /// listens. Throws std::system_error naming the path when it cannot.
    RootSocket(sd_event* event, std::filesystem::path path, Answer answer, Post post,
               std::shared_ptr<spdlog::logger> logger);
    ~RootSocket();
    RootSocket(const RootSocket&) = delete;
    RootSocket& operator=(const RootSocket&) = delete;

  private:
    struct BusUnref {
        void operator()(sd_bus* bus) const;
    };
    struct SlotUnref {
        void operator()(sd_bus_slot* slot) const { sd_bus_slot_unref(slot); }
    };
    struct Connection {
        RootSocket* socket;
        Caller peer;
        std::unique_ptr<sd_bus, BusUnref> bus{};
        std::unique_ptr<sd_bus_slot, SlotUnref> messages{};
        std::unique_ptr<sd_bus_slot, SlotUnref> disconnected{};
    };

    static int onConnect(sd_event_source* source, int fd, std::uint32_t events, void* self);
    static int onMessage(sd_bus_message* message, void* connection, sd_bus_error* error);
    static int onDisconnected(sd_bus_message* message, void* connection, sd_bus_error* error);
    void accept();
    void serve(UniqueFd peerFd, const Caller& peer);
    void release(const Connection* connection);

    sd_event* event_;
    std::filesystem::path path_;
    Answer answer_;
    Post post_;
    std::shared_ptr<spdlog::logger> logger_;
    UniqueFd listening_;
    EventSourcePtr source_;
    std::list<Connection> connections_; ///< a list: the handlers hold pointers to its elements
    RefusalRateLimit refusedPeers_;
};

} // namespace kmodd

#pragma once

#include "SdEvent.h"
#include "UniqueFd.h"

#include <functional>
#include <string_view>

namespace kmodd {

/// True for a kernel uevent ("ACTION@DEVPATH\0KEY=VALUE\0...") of the `module` subsystem.
bool isModuleUevent(std::string_view datagram);

/// Listens to the kernel's own uevent multicast group (not udev's, so that kmodd works where
/// udev is not running) and calls onModuleEvent once for each batch of datagrams that holds a
/// module event, or after the socket overflowed and events may have been lost. The events only
/// say "look again": their contents are not trusted beyond that.
class UeventMonitor {
  public:
    /// Throws std::system_error when the netlink socket cannot be opened. onModuleEvent runs on
    /// the loop's thread and must not throw.
    UeventMonitor(sd_event* event, std::function<void()> onModuleEvent);
    UeventMonitor(const UeventMonitor&) = delete;
    UeventMonitor& operator=(const UeventMonitor&) = delete;

  private:
    static int onReadable(sd_event_source* source, int fd, std::uint32_t events, void* self);
    bool drain() const;

    std::function<void()> onModuleEvent_;
    UniqueFd socket_;
    EventSourcePtr source_;
};

} // namespace kmodd

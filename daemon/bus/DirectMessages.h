#pragma once

#include <sdbus-c++/Message.h>
#include <systemd/sd-bus.h>

namespace kmodd {

/// Messages of a direct connection (RootSocket) as the sdbus-c++ messages that the generated
/// adaptors take. sdbus-c++ 1.2 serves only the bus connections it opened itself (1.3 adds
/// direct ones), so these wrap sd-bus messages through the library's own protected
/// constructors: the generated adaptors stay the only code that decodes and encodes Manager1's
/// calls. The library reaches sd-bus through the wrapper of the system bus connection (taken
/// from one of its messages), and a reply goes out on its call's own connection: sdbus-c++
/// sends replies with sd_bus_send() and no bus.
class DirectMessages {
  public:
    /// library: a message of the sdbus-c++ connection, for its sd-bus wrapper.
    explicit DirectMessages(const sdbus::Message& library);

    sdbus::MethodCall methodCall(sd_bus_message* call) const;
    /// reply: a method return with an open variant, for a property getter to fill.
    sdbus::PropertyGetReply propertyReply(sd_bus_message* reply) const;

  private:
    sdbus::internal::ISdBus* sdbus_;
};

} // namespace kmodd

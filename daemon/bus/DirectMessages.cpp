#include "DirectMessages.h"

namespace kmodd {
namespace {

class LibraryMessage : public sdbus::Message {
  public:
    explicit LibraryMessage(const sdbus::Message& message) : sdbus::Message(message) {}
    sdbus::internal::ISdBus* wrapper() const { return sdbus_; }
};

// Message(void*, ISdBus*) takes a reference of its own on the sd-bus message.
class DirectCall : public sdbus::MethodCall {
  public:
    DirectCall(sd_bus_message* call, sdbus::internal::ISdBus* sdbus)
        : sdbus::MethodCall(call, sdbus) {}
};

class DirectPropertyReply : public sdbus::PropertyGetReply {
  public:
    DirectPropertyReply(sd_bus_message* reply, sdbus::internal::ISdBus* sdbus)
        : sdbus::PropertyGetReply(reply, sdbus) {}
};

} // namespace

DirectMessages::DirectMessages(const sdbus::Message& library)
    : sdbus_(LibraryMessage(library).wrapper()) {}

sdbus::MethodCall DirectMessages::methodCall(sd_bus_message* call) const {
    return DirectCall(call, sdbus_);
}

sdbus::PropertyGetReply DirectMessages::propertyReply(sd_bus_message* reply) const {
    return DirectPropertyReply(reply, sdbus_);
}

} // namespace kmodd

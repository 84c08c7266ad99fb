#include "ManagerBusObject.h"

#include "WireNames.h"

#include <cassert>
#include <cstring>
#include <memory>
#include <sdbus-c++/Error.h>
#include <string_view>

namespace kmodd {
namespace {

constexpr std::string_view loadMethod = "Load";
constexpr char propertiesInterface[] = "org.freedesktop.DBus.Properties";
using wire::managerInterface;

using MessagePtr = std::unique_ptr<sd_bus_message, decltype(&sd_bus_message_unref)>;

bool isManagerInterface(const std::string& interfaceName) {
    return interfaceName == managerInterface;
}

// Points current at value for as long as it lives: what is being answered, while it is.
template <class T> class PointingAt {
  public:
    PointingAt(const T*& current, const T& value) : current_(current) { current_ = &value; }
    ~PointingAt() { current_ = nullptr; }
    PointingAt(const PointingAt&) = delete;
    PointingAt& operator=(const PointingAt&) = delete;

  private:
    const T*& current_;
};

} // namespace

ManagerBusObject::ManagerBusObject(std::unique_ptr<sdbus::IObject> object, LoadCheck checkLoad)
    : object_(std::move(object)), checkLoad_(std::move(checkLoad)),
      // Any message of the bus connection gives direct messages its sd-bus wrapper; this one
      // is never sent.
      directMessages_(object_->createSignal(managerInterface, "ModuleLoaded")) {}

const sdbus::MethodCall& ManagerBusObject::currentCall() const {
    assert(currentCall_ != nullptr);
    return *currentCall_;
}

sdbus::method_callback ManagerBusObject::answering(sdbus::method_callback callback) {
    return [this, callback = std::move(callback)](sdbus::MethodCall call) {
        const PointingAt<sdbus::MethodCall> whileAnswered(currentCall_, call);
        callback(call); // a copy: call stays valid for currentCall()
    };
}

void ManagerBusObject::registerMethod(const std::string& interfaceName, std::string methodName,
                                      std::string inputSignature, std::string outputSignature,
                                      sdbus::method_callback methodCallback, sdbus::Flags flags) {
    registerMethod(interfaceName, std::move(methodName), std::move(inputSignature), {},
                   std::move(outputSignature), {}, std::move(methodCallback), flags);
}

void ManagerBusObject::registerMethod(const std::string& interfaceName, std::string methodName,
                                      std::string inputSignature,
                                      const std::vector<std::string>& inputNames,
                                      std::string outputSignature,
                                      const std::vector<std::string>& outputNames,
                                      sdbus::method_callback methodCallback, sdbus::Flags flags) {
    if (isManagerInterface(interfaceName) && methodName == loadMethod) {
        methodCallback = [this, decode = std::move(methodCallback)](sdbus::MethodCall call) {
            if (checkLoad_(call)) {
                decode(std::move(call));
            }
        };
    }
    auto answer = answering(std::move(methodCallback));
    if (isManagerInterface(interfaceName)) {
        directMethods_.insert_or_assign(methodName, DirectMethod{inputSignature, answer});
    }
    object_->registerMethod(interfaceName, std::move(methodName), std::move(inputSignature),
                            inputNames, std::move(outputSignature), outputNames, std::move(answer),
                            flags);
}

int ManagerBusObject::answerDirect(sd_bus_message* message, const Caller& peer,
                                   sd_bus_error* error) {
    if (sd_bus_message_is_method_call(message, nullptr, nullptr) <= 0) {
        return 0;
    }
    const char* interfaceName = sd_bus_message_get_interface(message);
    const char* member = sd_bus_message_get_member(message);
    if (interfaceName == nullptr || member == nullptr) {
        return 0;
    }
    const PointingAt<Caller> whileAnswered(directPeer_, peer);
    try {
        if (std::strcmp(interfaceName, managerInterface) == 0) {
            const auto method = directMethods_.find(std::string_view(member));
            return method == directMethods_.end() ? 0
                                                  : answerMethod(message, method->second, error);
        }
        if (std::strcmp(interfaceName, propertiesInterface) == 0 &&
            std::strcmp(member, "Get") == 0) {
            return answerPropertyRead(message, error);
        }
        return 0;
    } catch (const sdbus::Error& failure) {
        // As sdbus-c++ answers what a callback throws on the bus.
        return sd_bus_error_set(error, failure.getName().c_str(), failure.getMessage().c_str());
    }
}

int ManagerBusObject::answerMethod(sd_bus_message* call, const DirectMethod& method,
                                   sd_bus_error* error) {
    // What sd-bus's object vtable checks before a bus call reaches the adaptor.
    if (sd_bus_message_has_signature(call, method.inputSignature.c_str()) <= 0) {
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                 "Invalid arguments '%s' to call %s.%s(), expecting '%s'.",
                                 sd_bus_message_get_signature(call, true), managerInterface,
                                 sd_bus_message_get_member(call), method.inputSignature.c_str());
    }
    method.callback(directMessages_.methodCall(call));
    return 1;
}

int ManagerBusObject::answerPropertyRead(sd_bus_message* call, sd_bus_error* error) {
    const char* interfaceName = nullptr;
    const char* propertyName = nullptr;
    if (const int result = sd_bus_message_read(call, "ss", &interfaceName, &propertyName);
        result < 0) {
        return sd_bus_error_set_errno(error, result);
    }
    const auto property = isManagerInterface(interfaceName)
                              ? directProperties_.find(std::string_view(propertyName))
                              : directProperties_.end();
    if (property == directProperties_.end()) {
        return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY,
                                 "Unknown property %s.%s on the root socket.", interfaceName,
                                 propertyName);
    }
    sd_bus_message* made = nullptr;
    if (const int result = sd_bus_message_new_method_return(call, &made); result < 0) {
        return sd_bus_error_set_errno(error, result);
    }
    const MessagePtr reply(made, sd_bus_message_unref);
    if (const int result =
            sd_bus_message_open_container(made, 'v', property->second.signature.c_str());
        result < 0) {
        return sd_bus_error_set_errno(error, result);
    }
    auto value = directMessages_.propertyReply(made);
    property->second.get(value);
    if (const int result = sd_bus_message_close_container(made); result < 0) {
        return sd_bus_error_set_errno(error, result);
    }
    if (const int result = sd_bus_send(nullptr, made, nullptr); result < 0) {
        return sd_bus_error_set_errno(error, result);
    }
    return 1;
}

void ManagerBusObject::rememberDirectProperty(const std::string& interfaceName,
                                              const std::string& propertyName,
                                              const std::string& signature,
                                              const sdbus::property_get_callback& getCallback) {
    if (isManagerInterface(interfaceName)) {
        directProperties_.insert_or_assign(propertyName, DirectProperty{signature, getCallback});
    }
}

void ManagerBusObject::registerSignal(const std::string& interfaceName, std::string signalName,
                                      std::string signature, sdbus::Flags flags) {
    object_->registerSignal(interfaceName, std::move(signalName), std::move(signature), flags);
}

void ManagerBusObject::registerSignal(const std::string& interfaceName, std::string signalName,
                                      std::string signature,
                                      const std::vector<std::string>& paramNames,
                                      sdbus::Flags flags) {
    object_->registerSignal(interfaceName, std::move(signalName), std::move(signature), paramNames,
                            flags);
}

void ManagerBusObject::registerProperty(const std::string& interfaceName, std::string propertyName,
                                        std::string signature,
                                        sdbus::property_get_callback getCallback,
                                        sdbus::Flags flags) {
    rememberDirectProperty(interfaceName, propertyName, signature, getCallback);
    object_->registerProperty(interfaceName, std::move(propertyName), std::move(signature),
                              std::move(getCallback), flags);
}

void ManagerBusObject::registerProperty(const std::string& interfaceName, std::string propertyName,
                                        std::string signature,
                                        sdbus::property_get_callback getCallback,
                                        sdbus::property_set_callback setCallback,
                                        sdbus::Flags flags) {
    rememberDirectProperty(interfaceName, propertyName, signature, getCallback);
    object_->registerProperty(interfaceName, std::move(propertyName), std::move(signature),
                              std::move(getCallback), std::move(setCallback), flags);
}

void ManagerBusObject::setInterfaceFlags(const std::string& interfaceName, sdbus::Flags flags) {
    object_->setInterfaceFlags(interfaceName, flags);
}

void ManagerBusObject::finishRegistration() {
    object_->finishRegistration();
}

void ManagerBusObject::unregister() {
    object_->unregister();
}

sdbus::Signal ManagerBusObject::createSignal(const std::string& interfaceName,
                                             const std::string& signalName) {
    return object_->createSignal(interfaceName, signalName);
}

void ManagerBusObject::emitSignal(const sdbus::Signal& message) {
    object_->emitSignal(message);
}

void ManagerBusObject::emitPropertiesChangedSignal(const std::string& interfaceName,
                                                   const std::vector<std::string>& propNames) {
    object_->emitPropertiesChangedSignal(interfaceName, propNames);
}

void ManagerBusObject::emitPropertiesChangedSignal(const std::string& interfaceName) {
    object_->emitPropertiesChangedSignal(interfaceName);
}

void ManagerBusObject::emitInterfacesAddedSignal() {
    object_->emitInterfacesAddedSignal();
}

void ManagerBusObject::emitInterfacesAddedSignal(const std::vector<std::string>& interfaces) {
    object_->emitInterfacesAddedSignal(interfaces);
}

void ManagerBusObject::emitInterfacesRemovedSignal() {
    object_->emitInterfacesRemovedSignal();
}

void ManagerBusObject::emitInterfacesRemovedSignal(const std::vector<std::string>& interfaces) {
    object_->emitInterfacesRemovedSignal(interfaces);
}

void ManagerBusObject::addObjectManager() {
    object_->addObjectManager();
}

void ManagerBusObject::removeObjectManager() {
    object_->removeObjectManager();
}

bool ManagerBusObject::hasObjectManager() const {
    return object_->hasObjectManager();
}

sdbus::IConnection& ManagerBusObject::getConnection() const {
    return object_->getConnection();
}

const std::string& ManagerBusObject::getObjectPath() const {
    return object_->getObjectPath();
}

const sdbus::Message* ManagerBusObject::getCurrentlyProcessedMessage() const {
    return object_->getCurrentlyProcessedMessage();
}

} // namespace kmodd

#include "ManagerBusObject.h"

#include "ManagerAdaptor.h"

#include <cassert>
#include <string_view>

namespace kmodd {
namespace {

constexpr std::string_view loadMethod = "Load";

} // namespace

ManagerBusObject::ManagerBusObject(std::unique_ptr<sdbus::IObject> object, LoadCheck checkLoad)
    : object_(std::move(object)), checkLoad_(std::move(checkLoad)) {}

const sdbus::MethodCall& ManagerBusObject::currentCall() const {
    assert(currentCall_ != nullptr);
    return *currentCall_;
}

sdbus::method_callback ManagerBusObject::answering(sdbus::method_callback callback) {
    return [this, callback = std::move(callback)](sdbus::MethodCall call) {
        currentCall_ = &call;
        struct Reset {
            const sdbus::MethodCall*& current;
            ~Reset() { current = nullptr; }
        } reset{currentCall_};
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
    if (interfaceName == org::kmodd::Manager1_adaptor::INTERFACE_NAME && methodName == loadMethod) {
        methodCallback = [this, decode = std::move(methodCallback)](sdbus::MethodCall call) {
            if (checkLoad_(call)) {
                decode(std::move(call));
            }
        };
    }
    object_->registerMethod(interfaceName, std::move(methodName), std::move(inputSignature),
                            inputNames, std::move(outputSignature), outputNames,
                            answering(std::move(methodCallback)), flags);
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
    object_->registerProperty(interfaceName, std::move(propertyName), std::move(signature),
                              std::move(getCallback), flags);
}

void ManagerBusObject::registerProperty(const std::string& interfaceName, std::string propertyName,
                                        std::string signature,
                                        sdbus::property_get_callback getCallback,
                                        sdbus::property_set_callback setCallback,
                                        sdbus::Flags flags) {
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

#pragma once

#include "Caller.h"
#include "DirectMessages.h"

#include <functional>
#include <map>
#include <memory>
#include <sdbus-c++/IObject.h>
#include <string>
#include <systemd/sd-bus.h>

namespace kmodd {

/// The sdbus-c++ object that /org/kmodd/Manager1's generated adaptors register on: sdbus-c++'s
/// own, with what the generated code cannot express. A Load call passes a check on the raw
/// message before the adaptor decodes its arguments, and every method call is at hand while it
/// is answered (currentCall), for a reply written without sdbus::Result. It also answers
/// Manager1's method calls and property reads that arrive on a direct connection (RootSocket),
/// with the same callbacks. Loop thread only.
class ManagerBusObject final : public sdbus::IObject {
  public:
    /// Decides on a Load call before its arguments are decoded, and leaves it rewound; returns
    /// false when it has answered the call itself.
    using LoadCheck = std::function<bool(sdbus::MethodCall& call)>;

    ManagerBusObject(std::unique_ptr<sdbus::IObject> object, LoadCheck checkLoad);

    /// The method call being answered; only while a method callback runs.
    const sdbus::MethodCall& currentCall() const;
    /// The peer of the direct connection whose call is being answered; nullptr for the bus's.
    const Caller* directPeer() const { return directPeer_; }

    /// Answers a message of a direct connection from peer, as an sd-bus message handler does:
    /// 0 when it is not a Manager1 method call or property read (sd-bus then answers it), 1
    /// when answered or being answered, a negative errno with error set for a bad call.
    int answerDirect(sd_bus_message* message, const Caller& peer, sd_bus_error* error);

    void registerMethod(const std::string& interfaceName, std::string methodName,
                        std::string inputSignature, std::string outputSignature,
                        sdbus::method_callback methodCallback, sdbus::Flags flags) override;
    void registerMethod(const std::string& interfaceName, std::string methodName,
                        std::string inputSignature, const std::vector<std::string>& inputNames,
                        std::string outputSignature, const std::vector<std::string>& outputNames,
                        sdbus::method_callback methodCallback, sdbus::Flags flags) override;
    void registerSignal(const std::string& interfaceName, std::string signalName,
                        std::string signature, sdbus::Flags flags) override;
    void registerSignal(const std::string& interfaceName, std::string signalName,
                        std::string signature, const std::vector<std::string>& paramNames,
                        sdbus::Flags flags) override;
    void registerProperty(const std::string& interfaceName, std::string propertyName,
                          std::string signature, sdbus::property_get_callback getCallback,
                          sdbus::Flags flags) override;
    void registerProperty(const std::string& interfaceName, std::string propertyName,
                          std::string signature, sdbus::property_get_callback getCallback,
                          sdbus::property_set_callback setCallback, sdbus::Flags flags) override;
    void setInterfaceFlags(const std::string& interfaceName, sdbus::Flags flags) override;
    void finishRegistration() override;
    void unregister() override;
    sdbus::Signal createSignal(const std::string& interfaceName,
                               const std::string& signalName) override;
    void emitSignal(const sdbus::Signal& message) override;
    void emitPropertiesChangedSignal(const std::string& interfaceName,
                                     const std::vector<std::string>& propNames) override;
    void emitPropertiesChangedSignal(const std::string& interfaceName) override;
    void emitInterfacesAddedSignal() override;
    void emitInterfacesAddedSignal(const std::vector<std::string>& interfaces) override;
    void emitInterfacesRemovedSignal() override;
    void emitInterfacesRemovedSignal(const std::vector<std::string>& interfaces) override;
    void addObjectManager() override;
    void removeObjectManager() override;
    bool hasObjectManager() const override;
    sdbus::IConnection& getConnection() const override;
    const std::string& getObjectPath() const override;
    const sdbus::Message* getCurrentlyProcessedMessage() const override;

  private:
    struct DirectMethod {
        std::string inputSignature;
        sdbus::method_callback callback;
    };
    struct DirectProperty {
        std::string signature;
        sdbus::property_get_callback get;
    };

    sdbus::method_callback answering(sdbus::method_callback callback);
    int answerMethod(sd_bus_message* call, const DirectMethod& method, sd_bus_error* error);
    int answerPropertyRead(sd_bus_message* call, sd_bus_error* error);
    /// A Manager1 property's getter, for reads on a direct connection.
    void rememberDirectProperty(const std::string& interfaceName, const std::string& propertyName,
                                const std::string& signature,
                                const sdbus::property_get_callback& getCallback);

    std::unique_ptr<sdbus::IObject> object_;
    LoadCheck checkLoad_;
    DirectMessages directMessages_;
    const sdbus::MethodCall* currentCall_ = nullptr;
    const Caller* directPeer_ = nullptr;
    /// Manager1's methods and properties by member name, as registered with the bus object.
    std::map<std::string, DirectMethod, std::less<>> directMethods_;
    std::map<std::string, DirectProperty, std::less<>> directProperties_;
};

/// Owns the object Manager's adaptors register on: a base of Manager, made before them.
class ManagerBusObjectOwner {
  protected:
    explicit ManagerBusObjectOwner(std::unique_ptr<ManagerBusObject> object)
        : object_(std::move(object)) {}

    ManagerBusObject& busObject() { return *object_; }
    const ManagerBusObject& busObject() const { return *object_; }

  private:
    std::unique_ptr<ManagerBusObject> object_;
};

} // namespace kmodd

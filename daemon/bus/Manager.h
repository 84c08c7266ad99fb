#pragma once

#include "Caller.h"
#include "Kernel.h"
#include "ManagerAdaptor.h"
#include "ManagerBusObject.h"
#include "ModuleFactsCache.h"
#include "ModuleIndex.h"
#include "ModuleObject.h"
#include "ModuleTable.h"
#include "RequestHandler.h"

#include <map>
#include <memory>
#include <sdbus-c++/sdbus-c++.h>
#include <spdlog/logger.h>

namespace kmodd {

/// /org/kmodd/Manager1: org.kmodd.Manager1 and the ObjectManager of the per-module objects.
/// The D-Bus edge: it learns who the caller is, hands requests to the RequestHandler, turns
/// outcomes into replies (org.kmodd.Error.<Kind> for errors), answers reads from the module
/// table, and keeps one ModuleObject per loaded module. Loop thread only.
class Manager final : private ManagerBusObjectOwner,
                      public org::kmodd::Manager1_adaptor,
                      public sdbus::ObjectManager_adaptor {
  public:
    /// Exports the manager and an object for every module in the table (which the caller has
    /// filled), without signals: nobody can be listening before the name is owned.
    Manager(sdbus::IConnection& connection, RequestHandler& requests, ModuleTable& table,
            const Kernel& kernel, const ModuleIndex& index, ModuleFactsCache& facts,
            const ModuleEngine& engine, std::shared_ptr<spdlog::logger> logger);
    ~Manager();

    /// Re-reads the kernel's module list and publishes what changed: objects added and removed
    /// (InterfacesAdded/Removed), PropertiesChanged, ModuleLoaded and ModuleUnloaded. Logs
    /// failures instead of throwing, and then returns false.
    bool refresh();

    /// Answers a message of root's socket (RootSocket::Answer) as the bus's are answered.
    int answerDirect(sd_bus_message* message, const Caller& peer, sd_bus_error* error);

  private:
    void Load(sdbus::Result<std::string, std::string, std::vector<std::string>, PlanEntries,
                            SkippedModules>&& result,
              std::string name, std::map<std::string, std::string> parameters,
              uint64_t flags) override;
    void Unload(sdbus::Result<std::string, std::vector<std::string>>&& result, std::string name,
                uint64_t flags) override;
    void ListModules(sdbus::Result<ModuleList>&& result) override;
    void GetModule(sdbus::Result<std::map<std::string, sdbus::Variant>>&& result,
                   std::string name) override;
    void Reload(sdbus::Result<>&& result, uint64_t flags) override;
    void LoadBootModules(
        sdbus::Result<std::vector<sdbus::Struct<std::string, std::string, std::string>>>&& result,
        uint64_t flags) override;
    std::string Version() override;
    std::string ModuleDirectory() override;
    uint64_t LoadCount() override;
    uint64_t UnloadCount() override;
    std::map<std::string, uint64_t> RefusalCounts() override;
    std::string KernelOperation() override;

    /// Load's bounds on the raw call (readLoadCallBounds), before the adaptor decodes it: a call
    /// beyond them is answered, journaled and counted here. Returns whether Load may decode it.
    bool checkLoadCall(sdbus::MethodCall& call);
    /// Who sent call: root's socket's peer, or the bus daemon's account of its sender. Throws
    /// Error(Failed) when the bus cannot tell.
    Caller senderOf(const sdbus::Message& call);
    /// Who sent the method call being processed. On failure, answers it with the error, and
    /// logs and counts request (what was asked) as failed.
    template <class... Results>
    bool identifyCaller(const sdbus::Result<Results...>& reply, RequestRecord request,
                        Caller& caller);
    template <class Send> void answer(Send&& send);
    ModuleObject& addObject(const LoadedModule& module);
    ModuleObject* objectFor(const ModuleName& name);

    sdbus::IConnection& connection_;
    RequestHandler& requests_;
    ModuleTable& table_;
    const Kernel& kernel_;
    const ModuleIndex& index_;
    ModuleFactsCache& facts_;
    const ModuleEngine& engine_; ///< for the trusted paths in force
    std::shared_ptr<spdlog::logger> logger_;
    std::map<ModuleName, std::unique_ptr<ModuleObject>> objects_;
    /// ListModules' answer, rebuilt with every refresh of the table: reads far outnumber the
    /// table's changes, and Result sends it by reference.
    ModuleList moduleList_;
    CallerCache callers_;
    std::unique_ptr<sdbus::IProxy> busDriver_; ///< org.freedesktop.DBus, for callerOf()
};

} // namespace kmodd

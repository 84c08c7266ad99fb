#pragma once

#include "Kernel.h"
#include "ModuleDetails.h"
#include "ModuleEngine.h"
#include "ModuleFactsCache.h"
#include "ModuleIndex.h"

#include <optional>
#include <org.kmodd.Module1_adaptor.h>
#include <sdbus-c++/sdbus-c++.h>

namespace kmodd {

/// One loaded module on the bus: /org/kmodd/Manager1/module/<escaped name>, implementing
/// org.kmodd.Module1. Name, State, RefCount and Holders come from the module table; Parameters
/// and RestrictedParameters are read from /sys/module on each Get; Path is looked up in the
/// module directory, Version and Signer in the facts cache, on the first Get, and kept (they
/// describe the file, which does not change under a loaded module), so that creating hundreds of
/// objects at start costs no file reads. The loop never reads the file: facts not cached yet are
/// read by the cache's readers, and until they are there Version and Signer are empty (GetModule
/// waits for them). Runs on the loop's thread only (it uses the ModuleIndex).
class ModuleObject final
    : public sdbus::AdaptorInterfaces<org::kmodd::Module1_adaptor, sdbus::ManagedObject_adaptor,
                                      sdbus::Properties_adaptor> {
  public:
    ModuleObject(sdbus::IConnection& connection, LoadedModule module, const Kernel& kernel,
                 const ModuleIndex& index, ModuleFactsCache& facts, const ModuleEngine& engine);
    ~ModuleObject();

    /// Takes the table's new entry and emits PropertiesChanged for what differs.
    void update(const LoadedModule& module);

    /// Every property, as GetModule returns them.
    std::map<std::string, sdbus::Variant> properties();

  private:
    std::string Name() override;
    std::string State() override;
    uint32_t RefCount() override;
    std::vector<std::string> Holders() override;
    std::map<std::string, std::string> Parameters() override;
    std::vector<std::string> RestrictedParameters() override;
    std::string Path() override;
    std::string Version() override;
    std::string Signer() override;

    FileFacts fileFacts();
    PublishedParameters parameters() const;

    LoadedModule module_;
    const Kernel& kernel_;
    const ModuleIndex& index_;
    ModuleFactsCache& facts_;
    const ModuleEngine& engine_;         ///< for the trusted paths in force
    std::optional<FileFacts> fileFacts_; ///< once complete
    /// Every property but Parameters, as properties() returns them: built on the first call
    /// after a change once the file's facts are known, since building a Variant costs far more
    /// than copying one.
    std::optional<std::map<std::string, sdbus::Variant>> unchanging_;
};

} // namespace kmodd

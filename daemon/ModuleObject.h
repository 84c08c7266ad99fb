#pragma once

#include "Kernel.h"
#include "ModuleDetails.h"
#include "ModuleIndex.h"

#include <optional>
#include <org.kmodd.Module1_adaptor.h>
#include <sdbus-c++/sdbus-c++.h>

namespace kmodd {

/// One loaded module on the bus: /org/kmodd/Manager1/module/<escaped name>, implementing
/// org.kmodd.Module1. Name, State, RefCount and Holders come from the module table; Parameters
/// and RestrictedParameters are read from /sys/module on each Get; Path, Version and Signer are
/// looked up in the module directory on the first Get and kept (they describe the file, which does
/// not change under a loaded module), so that creating hundreds of objects at start costs no file
/// reads. Runs on the loop's thread only (it uses the ModuleIndex).
class ModuleObject final
    : public sdbus::AdaptorInterfaces<org::kmodd::Module1_adaptor, sdbus::ManagedObject_adaptor,
                                      sdbus::Properties_adaptor> {
  public:
    ModuleObject(sdbus::IConnection& connection, LoadedModule module, const Kernel& kernel,
                 const ModuleIndex& index);
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

    const FileFacts& fileFacts();
    PublishedParameters parameters() const;

    LoadedModule module_;
    const Kernel& kernel_;
    const ModuleIndex& index_;
    std::optional<FileFacts> fileFacts_;
    /// Every property but the parameters, as properties() returns them: built on the first call
    /// after a change, since building a Variant costs far more than copying one.
    std::optional<std::map<std::string, sdbus::Variant>> unchanging_;
};

} // namespace kmodd

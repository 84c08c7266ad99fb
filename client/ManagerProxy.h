#pragma once

#include "WireNames.h"
#include "org.kmodd.Manager1_proxy.h"

#include <sdbus-c++/sdbus-c++.h>

namespace kmodctl {

using kmodd::wire::busName;
using kmodd::wire::managerPath;

/// org.kmodd.Manager1 for one method call. Its signals are never subscribed to
/// (registerProxy is not called), so a one-shot command adds no match rules on the bus.
class ManagerProxy final : public sdbus::ProxyInterfaces<org::kmodd::Manager1_proxy> {
  public:
    explicit ManagerProxy(sdbus::IConnection& connection)
        : ProxyInterfaces(connection, busName, managerPath) {}
    ~ManagerProxy() { unregisterProxy(); }

  private:
    void onModuleLoaded(const std::string&) override {}
    void onModuleUnloaded(const std::string&) override {}
};

} // namespace kmodctl

#pragma once

#include <string>
#include <vector>

namespace kmodd::testing {

/// The members of one interface in D-Bus introspection XML, one sorted line each:
/// "method Load(sa{ss}t) -> (ssas)", "signal ModuleLoaded(s)", "property Version s read".
/// Argument names, annotations, comments and other interfaces are left out, so the XML in
/// dbus/ and a running daemon's Introspect() answer can be compared.
std::vector<std::string> interfaceMembers(const std::string& xml, const std::string& interface);

} // namespace kmodd::testing

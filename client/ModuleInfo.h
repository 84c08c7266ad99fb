#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace kmodctl {

/// A value of an org.kmodd.Module1 property (the D-Bus types s, u, as, a{ss}).
using PropertyValue = std::variant<std::string, std::uint32_t, std::vector<std::string>,
                                   std::map<std::string, std::string>>;

/// Properties by their D-Bus name, e.g. "RefCount".
using PropertyMap = std::map<std::string, PropertyValue>;

/// One entry of Manager1.ListModules.
struct ModuleSummary {
    std::string name;
    std::string state;
    std::uint32_t refCount = 0;
    std::vector<std::string> holders;

    bool operator==(const ModuleSummary&) const = default;
};

/// Manager1.GetModule's answer.
struct ModuleDetails {
    std::string name;
    std::string state;
    std::uint32_t refCount = 0;
    std::vector<std::string> holders;
    std::map<std::string, std::string> parameters;
    std::string path;
    std::string version;
    std::string signer;
    std::vector<std::string> restrictedParameters{}; ///< readable by root only: no value

    bool operator==(const ModuleDetails&) const = default;
};

/// The details in a GetModule dictionary; a property missing (or of another type) is left empty.
ModuleDetails detailsFromProperties(const PropertyMap& properties);

/// Manager1.Load's answer, with the name as requested.
/// One module of Manager1.Load's plan.
struct PlanStep {
    std::string module;
    std::string file;
    std::string parameters;
    std::string outcome; ///< inserted, already-loaded or to-insert

    bool operator==(const PlanStep&) const = default;
};

/// A soft dependency that Manager1.Load did not load, and why.
struct SkippedModule {
    std::string module;
    std::string reason;

    bool operator==(const SkippedModule&) const = default;
};

struct LoadOutcome {
    std::string requested;
    std::string module;
    std::string result; ///< loaded, already-loaded, builtin or dry-run
    std::vector<std::string> inserted;
    std::vector<PlanStep> modules{};
    std::vector<SkippedModule> skipped{};
};

/// One entry of Manager1.LoadBootModules.
struct BootResult {
    std::string name;   ///< as listed in the configuration
    std::string module; ///< what it resolved to, or empty
    std::string result; ///< loaded, already-loaded, builtin, or the error message

    bool succeeded() const;
};

/// What `kmodctl monitor` reports.
struct MonitorEvent {
    enum class Kind { Loaded, Unloaded, Changed };
    Kind kind;
    std::string module;
    PropertyMap changed; ///< Changed: the properties with their new values
};

} // namespace kmodctl

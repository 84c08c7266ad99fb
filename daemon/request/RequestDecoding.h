#pragma once

#include "ModuleEngine.h"
#include "Parameters.h"
#include "WireNames.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace kmodd {

/// The bits each state-changing method accepts.
namespace acceptedFlags {
inline constexpr std::uint64_t load = wire::flag::interactive | wire::flag::forceVermagic |
                                      wire::flag::forceModversion | wire::flag::dryRun;
inline constexpr std::uint64_t unload = wire::flag::interactive | wire::flag::keepDependencies;
inline constexpr std::uint64_t reload = wire::flag::interactive;
inline constexpr std::uint64_t loadBootModules = wire::flag::interactive;
} // namespace acceptedFlags

struct RequestFlags {
    bool interactive = false;
    LoadFlags load;
    bool dryRun = false;           ///< Load
    bool keepDependencies = false; ///< Unload

    bool operator==(const RequestFlags&) const = default;
};

/// Decodes flags for a method that accepts the bits in `accepted`. Throws
/// Error(InvalidArgument) naming the method and the bits it does not take.
RequestFlags decodeFlags(std::uint64_t flags, std::uint64_t accepted, std::string_view method);

/// Load's bounds (requestLimit), counted one parameter at a time as they are read, so that a
/// request beyond them is refused at its first parameter too many, whatever follows it.
class ParameterBounds {
  public:
    explicit ParameterBounds(std::string_view requestedName) : requestedName_(requestedName) {}

    /// Counts one more parameter. Throws Error(InvalidArgument) naming the requested module and
    /// the bound when it is one too many or takes the text beyond the bound.
    void count(std::string_view name, std::string_view value);

  private:
    std::string_view requestedName_;
    std::size_t parameters_ = 0;
    std::size_t text_ = 0;
};

/// Refuses Load's a{ss} when it has more parameters or more text than requestLimit allows
/// (ParameterBounds). Linear in the input, and run before anything else looks at the parameters.
void checkParameterBounds(std::string_view requestedName,
                          const std::map<std::string, std::string>& parameters);

/// Load's a{ss} as a parameter list, its bounds checked first (checkParameterBounds): an empty
/// value passes the parameter as a flag ("name" alone). Throws Error(InvalidArgument) for too
/// many parameters, too much text, a bad name or value, naming the requested module.
ParameterList decodeParameters(std::string_view requestedName,
                               const std::map<std::string, std::string>& parameters);

/// A name as a client asked for it (GetModule's argument).
struct RequestedName {
    std::string requested;            ///< as validateRequestedName accepted it
    std::optional<ModuleName> module; ///< when it is a module name; nullopt for an alias
};

/// Validates a requested name (validateRequestedName) and reads it as a module name if it is
/// one. Throws Error(InvalidArgument) quoting it.
RequestedName decodeRequestedName(std::string_view name);

} // namespace kmodd

#pragma once

#include "ModuleName.h"

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kmodd {

/// One module parameter as init_module(2) takes it: `name` alone (a flag) or
/// `name=value[,value...]`. Names are kept with '-' written as '_', as the kernel compares them.
struct Parameter {
    std::string name;
    std::optional<std::string> value;

    bool operator==(const Parameter&) const = default;
};

/// An ordered set of parameters, at most one per name.
class ParameterList {
  public:
    /// Parses "name", "name=value" or "name=v1,v2" as a user writes them on a command line.
    /// Throws Error(InvalidArgument) naming the module and the bad text.
    static Parameter parseAssignment(const ModuleName& module, std::string_view text);

    /// Parses options as libkmod joins them from modprobe.d and the kernel command line
    /// ("a=1 b=\"x y\""): split at spaces outside double quotes, the quotes removed, as the
    /// kernel's next_arg() reads them. Throws Error(InvalidArgument) naming the module.
    static ParameterList parseOptions(const ModuleName& module, std::string_view options);

    /// Adds a parameter or replaces the value of the one with the same name. Validates the
    /// name ([A-Za-z0-9_-], 1..64) and the value (no '"', no control characters, since the
    /// kernel has no escape for them); throws Error(InvalidArgument) naming the module.
    void set(const ModuleName& module, Parameter parameter);

    /// This list with every parameter of overrides set on top (overrides win by name).
    ParameterList mergedWith(const ModuleName& module, const ParameterList& overrides) const;

    /// Throws Error(InvalidParameter) naming the module and the first parameter not in declared.
    void checkDeclared(const ModuleName& module, const std::set<std::string>& declared) const;

    /// The string passed to the kernel: parameters separated by spaces, a value containing a
    /// space wrapped in double quotes, so that no value can ever read as two parameters.
    std::string kernelString() const;

    const std::vector<Parameter>& items() const noexcept { return items_; }
    bool empty() const noexcept { return items_.empty(); }

    bool operator==(const ParameterList&) const = default;

  private:
    std::vector<Parameter> items_;
};

} // namespace kmodd

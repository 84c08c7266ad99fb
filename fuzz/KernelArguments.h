#pragma once

#include "Parameters.h"

#include <string_view>
#include <vector>

namespace kmodd::fuzz {

/// The parameters a module gets from the string given to init_module/finit_module, read as the
/// kernel reads it: a port of parse_args() and next_arg() (kernel/params.c, lib/cmdline.c,
/// Linux 6.1), quotes and "--" included. The reference for what ParameterList::kernelString()
/// really says.
std::vector<Parameter> splitLikeTheKernel(std::string_view arguments);

} // namespace kmodd::fuzz

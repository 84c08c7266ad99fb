#pragma once

#include "Kernel.h"

#include <memory>

/// The kernel kmodd talks to. The installed daemon links LinuxKernelFactory.cpp (the real
/// kernel); the test daemon links tests/fake/FakeKernelFactory.cpp. Throws kmodd::Error.
std::unique_ptr<kmodd::Kernel> makeKernel();

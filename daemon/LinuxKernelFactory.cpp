#include "KernelFactory.h"
#include "LinuxKernel.h"

std::unique_ptr<kmodd::Kernel> makeKernel() {
    return std::make_unique<kmodd::LinuxKernel>();
}

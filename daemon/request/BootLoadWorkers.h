#pragma once

#include <cstddef>

namespace kmodd {

/// How many boot list modules kmodd gives the kernel at once: the CPUs it may run on
/// (sched_getaffinity, as nproc counts them), at most requestLimit::bootLoadWorkers. One CPU
/// means one: the boot list then loads on the kernel queue's thread, as one module after the
/// other, with no thread started.
std::size_t bootLoadWorkers();

} // namespace kmodd

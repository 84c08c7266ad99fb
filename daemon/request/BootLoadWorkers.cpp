#include "BootLoadWorkers.h"

#include "RequestLimits.h"

#include <algorithm>
#include <sched.h>

namespace kmodd {

std::size_t bootLoadWorkers() {
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    if (::sched_getaffinity(0, sizeof cpus, &cpus) != 0) {
        return 1;
    }
    return std::clamp<std::size_t>(static_cast<std::size_t>(CPU_COUNT(&cpus)), 1,
                                   requestLimit::bootLoadWorkers);
}

} // namespace kmodd

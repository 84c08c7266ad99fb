// /proc/modules, and the /sys/module values (refcnt, initstate) read with it.
#include "FuzzChecks.h"
#include "ProcModules.h"

#include <algorithm>

using namespace kmodd;

namespace {

std::size_t nonEmptyLines(std::string_view text) {
    std::size_t lines = 0;
    for (std::size_t start = 0; start < text.size();) {
        const auto end = std::min(text.find('\n', start), text.size());
        lines += end > start ? 1 : 0;
        start = end + 1;
    }
    return lines;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = fuzz::textOf(data, size);
    const auto modules =
        fuzz::parsedOrRefused(ErrorKind::Failed, [&] { return parseProcModules(text); });
    fuzz::require(!modules || modules->size() == nonEmptyLines(text),
                  "every line of /proc/modules is one module");
    parseRefcount(text);
    return 0;
}

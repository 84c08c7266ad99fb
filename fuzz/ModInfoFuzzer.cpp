// ModInfo::read: the .modinfo section of an uncompressed module image.
#include "FuzzChecks.h"
#include "ModInfo.h"

#include <span>

using namespace kmodd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto modinfo = fuzz::parsedOrRefused(ErrorKind::KernelRejected, [&] {
        return ModInfo::read(std::as_bytes(std::span(data, size)));
    });
    if (!modinfo) {
        return 0;
    }
    for (const std::string& name : modinfo->declaredParameters()) {
        fuzz::require(name.find('-') == std::string::npos,
                      "declared parameter names are written with '_'");
    }
    modinfo->values("alias");
    return 0;
}

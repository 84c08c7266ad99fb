// applyConfigText: one YAML document (kmodd.yaml or a drop-in) on top of a config.
#include "Config.h"
#include "FuzzChecks.h"
#include "KernelArguments.h"

#include <string>

using namespace kmodd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(fuzz::textOf(data, size));
    const auto config = fuzz::parsedOrRefused(
        ErrorKind::ConfigInvalid, [&] { return applyConfigText({}, text, "kmodd.yaml"); });
    if (!config) {
        return 0;
    }
    for (const auto& [module, parameters] : config->defaultParameters) {
        fuzz::require(fuzz::splitLikeTheKernel(parameters.kernelString()) == parameters.items(),
                      "a module's default parameters reach the kernel as configured");
    }
    // The same document again as a drop-in: later wins and modules merge, so nothing changes.
    fuzz::require(applyConfigText(*config, text, "kmodd.yaml.d/again.yaml") == *config,
                  "applying a document twice is applying it once");
    return 0;
}

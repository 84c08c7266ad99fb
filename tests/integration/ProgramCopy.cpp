#include "ProgramCopy.h"

#include "ScratchDirectory.h"

#include <filesystem>

namespace kmodd::testing {

const std::string& kmodctlForAnyUser() {
    static const ScratchDirectory directory("programs");
    static const std::string copy = [] {
        const auto path = directory / "kmodctl";
        std::filesystem::copy_file(KMODCTL, path);
        std::filesystem::permissions(path, std::filesystem::perms(0755));
        return path.string();
    }();
    return copy;
}

} // namespace kmodd::testing

#include "KernelStateFile.h"

#include "TextFile.h"

#include <algorithm>
#include <sstream>

namespace kmodd::testing {
namespace {

constexpr const char* fileName = "modules";

} // namespace

std::string KernelStateFile::environmentVariable() const {
    return "KMODD_FAKE_STATE_FILE=" + (directory_ / fileName).string();
}

std::vector<std::string> KernelStateFile::loadedModules() const {
    std::vector<std::string> modules;
    std::istringstream lines(readText(directory_ / fileName));
    // A line is "module" or "module:dependency:...".
    for (std::string line; std::getline(lines, line);) {
        modules.push_back(line.substr(0, line.find(':')));
    }
    std::sort(modules.begin(), modules.end());
    return modules;
}

} // namespace kmodd::testing

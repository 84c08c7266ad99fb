#include "PrivateModprobeConfig.h"

#include <fstream>
#include <stdexcept>

namespace kmodd::testing {
namespace {

namespace fs = std::filesystem;

// libkmod's defaults, and /usr/lib for the kmod versions that read it.
constexpr const char* modprobeDirectories[] = {"/etc/modprobe.d", "/run/modprobe.d",
                                               "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d",
                                               "/lib/modprobe.d"};

void writeFile(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out.flush()) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

} // namespace

PrivateModprobeConfig::PrivateModprobeConfig(const ScratchDirectory& scratch)
    : directory_(scratch.createDirectories("modprobe.d")), cmdline_(scratch / "cmdline") {
    writeFile(cmdline_, "\n");
    mounts_.push_back(std::make_unique<BindMount>(cmdline_, "/proc/cmdline"));
    for (const char* directory : modprobeDirectories) {
        // /lib and /usr/lib are one directory on a merged /usr: mount it once.
        std::error_code error;
        if (fs::is_directory(directory, error) && !fs::is_symlink(directory, error) &&
            fs::canonical(directory, error) == fs::path(directory)) {
            mounts_.push_back(std::make_unique<BindMount>(directory_, directory));
        }
    }
}

fs::path PrivateModprobeConfig::write(const std::string& fileName, const std::string& text) const {
    writeFile(directory_ / fileName, text);
    return fs::path("/etc/modprobe.d") / fileName;
}

void PrivateModprobeConfig::setKernelCommandLine(const std::string& text) const {
    writeFile(cmdline_, text + "\n");
}

} // namespace kmodd::testing

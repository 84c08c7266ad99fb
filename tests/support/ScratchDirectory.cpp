#include "ScratchDirectory.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

namespace kmodd::testing {
namespace {

namespace fs = std::filesystem;

constexpr auto directoryMode = fs::perms(0755);

void createWithParents(const fs::path& directory) {
    if (fs::exists(directory)) {
        return;
    }
    createWithParents(directory.parent_path());
    fs::create_directory(directory);
    fs::permissions(directory, directoryMode);
}

} // namespace

ScratchDirectory::ScratchDirectory(std::string_view purpose) {
    std::string pattern = "/tmp/kmodd-" + std::string(purpose) + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("cannot create the temporary directory " + pattern + ": " +
                                 std::strerror(errno));
    }
    path_ = pattern;
    fs::permissions(path_, directoryMode);
}

ScratchDirectory::~ScratchDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

fs::path ScratchDirectory::createDirectories(const fs::path& relative) const {
    if (relative.is_absolute()) {
        throw std::invalid_argument("'" + relative.string() + "' is not a relative path");
    }
    const auto directory = path_ / relative;
    createWithParents(directory);
    return directory;
}

fs::path ScratchDirectory::write(const fs::path& relative, std::string_view contents,
                                 fs::perms mode) const {
    const auto file = createDirectories(relative.parent_path()) / relative.filename();
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
        if (!out.flush()) {
            throw std::runtime_error("cannot write " + file.string());
        }
    }
    fs::permissions(file, mode);
    return file;
}

} // namespace kmodd::testing

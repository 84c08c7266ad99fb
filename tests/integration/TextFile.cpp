#include "TextFile.h"

#include <fstream>
#include <sstream>

namespace kmodd::testing {

std::string readText(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace kmodd::testing

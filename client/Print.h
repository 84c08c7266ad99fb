#pragma once

#include <cstdio>
#include <string_view>

namespace kmodctl {

/// Writes text to stream (stdout or stderr) as it is. kmodctl writes through stdio rather than
/// iostreams: <iostream>'s static initialiser costs every start a locale set-up it never uses.
inline void print(std::FILE* stream, std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stream);
}

} // namespace kmodctl

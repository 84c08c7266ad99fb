#pragma once

#include <string>
#include <string_view>

namespace kmodctl {

/// Whether to colour what is written to a stream, as systemd decides: only when the stream is a
/// terminal, never when NO_COLOR is set (https://no-color.org), TERM is "dumb" or unset, or the
/// output is JSON. noColor and term are the variables' values, nullptr when unset.
bool wantsColour(bool isTerminal, const char* noColor, const char* term, bool json);

/// wantsColour for the file descriptor fd and this process's environment.
bool wantsColour(int fd, bool json);

enum class Colour { Green, Red, Yellow };

/// text between the ANSI escapes for colour and the reset, or text as is when enabled is false.
std::string painted(std::string_view text, Colour colour, bool enabled);

} // namespace kmodctl

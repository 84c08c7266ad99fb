#include "Colour.h"

#include <cstdlib>
#include <string_view>
#include <unistd.h>

namespace kmodctl {

bool wantsColour(bool isTerminal, const char* noColor, const char* term, bool json) {
    const bool noColorSet = noColor != nullptr && *noColor != '\0';
    const bool dumbTerminal = term == nullptr || std::string_view(term) == "dumb";
    return isTerminal && !noColorSet && !dumbTerminal && !json;
}

bool wantsColour(int fd, bool json) {
    return wantsColour(::isatty(fd) == 1, std::getenv("NO_COLOR"), std::getenv("TERM"), json);
}

std::string painted(std::string_view text, Colour colour, bool enabled) {
    if (!enabled) {
        return std::string(text);
    }
    const char* start = colour == Colour::Green    ? "\x1b[0;32m"
                        : colour == Colour::Yellow ? "\x1b[0;1;33m"
                                                   : "\x1b[0;1;31m";
    return start + std::string(text) + "\x1b[0m";
}

} // namespace kmodctl

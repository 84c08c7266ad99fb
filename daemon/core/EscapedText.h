#pragma once

#include <string>
#include <string_view>

namespace kmodd {

/// Text from outside (a requested name, parameters, a module's strings) made safe for a log
/// line or a terminal: control characters (C0, DEL and the C1 range U+0080..U+009F, which
/// terminals also obey) and '\' are written as C escapes ("\n", "\t", "\\", "\x1b",
/// "\xc2\x9b"), so that no caller can forge a line, move a cursor or retitle a terminal. The
/// daemon's journal records and kmodctl's human-readable output both go through it.
std::string escapeControlCharacters(std::string_view text);

} // namespace kmodd

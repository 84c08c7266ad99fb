#pragma once

#include "Error.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace kmodd::fuzz {

/// The fuzzer's input as text.
inline std::string_view textOf(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// The NUL-separated fields of text: NUL is the one byte no D-Bus string and no command-line
/// argument can hold, so it cannot hide a case the real input could reach.
std::vector<std::string_view> fieldsOf(std::string_view text);

/// Aborts (a crash for libFuzzer) with what when condition is false.
void require(bool condition, const char* what);

/// Checks what every refusal must be: a non-empty sentence that is valid UTF-8, since the
/// daemon sends it as a D-Bus error message and sd-bus will not send invalid UTF-8.
void requireSentence(const Error& error);

/// What parse returns, or nullopt when it refuses its input with an Error of the expected kind
/// that passes requireSentence. Any other exception escapes: libFuzzer reports it as a crash.
template <class Parse>
auto parsedOrRefused(ErrorKind expected, Parse&& parse) -> std::optional<decltype(parse())> {
    try {
        return parse();
    } catch (const Error& error) {
        requireSentence(error);
        require(error.kind() == expected, "the error has the kind the function promises");
        return std::nullopt;
    }
}

} // namespace kmodd::fuzz

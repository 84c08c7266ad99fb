#include "KernelArguments.h"

#include <string>

namespace kmodd::fuzz {
namespace {

// The kernel's isspace() (lib/ctype.c, Latin-1): ASCII whitespace and NBSP.
bool isKernelSpace(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte == ' ' || (byte >= '\t' && byte <= '\r') || byte == 0xa0;
}

std::size_t skipSpaces(std::string_view text, std::size_t at) {
    while (at < text.size() && isKernelSpace(text[at])) {
        ++at;
    }
    return at;
}

} // namespace

std::vector<Parameter> splitLikeTheKernel(std::string_view arguments) {
    // init_module copies a C string: nothing after a NUL reaches parse_args().
    const std::string_view args = arguments.substr(0, arguments.find('\0'));
    std::vector<Parameter> parameters;
    for (std::size_t at = skipSpaces(args, 0); at < args.size();) {
        // next_arg(): a leading quote opens a quoted parameter; quotes toggle; the first '='
        // after the start (never at it) splits name from value.
        bool inQuote = false;
        bool quoted = false;
        if (args[at] == '"') {
            ++at;
            inQuote = quoted = true;
        }
        std::size_t end = at;
        std::size_t equals = 0;
        for (; end < args.size() && (inQuote || !isKernelSpace(args[end])); ++end) {
            if (equals == 0 && end > at && args[end] == '=') {
                equals = end;
            }
            if (args[end] == '"') {
                inQuote = !inQuote;
            }
        }
        std::string token(args.substr(at, end - at));
        const std::size_t length = end - at;
        Parameter parameter;
        if (equals == 0) {
            parameter.name = token;
        } else {
            const std::size_t split = equals - at;
            parameter.name = token.substr(0, split);
            std::string value = token.substr(split + 1);
            // "Don't include quotes in value": the opening one, and a closing one at the end.
            if (!value.empty() && value.front() == '"') {
                value.erase(0, 1);
                if (token[length - 1] == '"' && !value.empty()) {
                    value.pop_back();
                }
            }
            parameter.value = value;
        }
        if (quoted && length > 0 && token[length - 1] == '"') {
            std::string& last = parameter.value ? *parameter.value : parameter.name;
            if (!last.empty() && last.back() == '"') {
                last.pop_back();
            }
        }
        if (!parameter.value && parameter.name == "--") {
            break; // parse_args() stops at "--": the rest is not for the module
        }
        parameters.push_back(std::move(parameter));
        at = skipSpaces(args, end < args.size() ? end + 1 : end);
    }
    return parameters;
}

} // namespace kmodd::fuzz

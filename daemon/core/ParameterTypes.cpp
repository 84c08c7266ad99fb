#include "ParameterTypes.h"

#include "Error.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace kmodd {
namespace {

// Wide enough for every value of int64 and uint64 and their negation.
__extension__ typedef __int128 Wide;

// The kernel's limit for a charp value (param_set_charp).
constexpr std::size_t maxCharpLength = 1024;

struct IntegerType {
    std::string_view name;
    std::string_view description;
    Wide minimum;
    Wide maximum;
    unsigned base; ///< 0: the kernel's auto-detection (0x hex, 0 octal)
};

template <typename T> constexpr Wide lowest() {
    return std::numeric_limits<T>::min();
}
template <typename T> constexpr Wide highest() {
    return std::numeric_limits<T>::max();
}

constexpr IntegerType integerTypes[] = {
    {"int", "a whole number", lowest<std::int32_t>(), highest<std::int32_t>(), 0},
    {"uint", "a whole number", 0, highest<std::uint32_t>(), 0},
    {"long", "a whole number", lowest<std::int64_t>(), highest<std::int64_t>(), 0},
    {"ulong", "a whole number", 0, highest<std::uint64_t>(), 0},
    {"short", "a whole number", lowest<std::int16_t>(), highest<std::int16_t>(), 0},
    {"ushort", "a whole number", 0, highest<std::uint16_t>(), 0},
    {"byte", "a whole number", 0, highest<std::uint8_t>(), 0},
    {"hexint", "a hexadecimal number", 0, highest<std::uint32_t>(), 16},
};

const IntegerType* integerType(std::string_view type) {
    for (const auto& candidate : integerTypes) {
        if (candidate.name == type) {
            return &candidate;
        }
    }
    return nullptr;
}

int digitValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return 99;
}

// kstrto*(): an optional sign ('-' only for signed types), a base prefix, at least one digit,
// nothing after them; nullopt when the kernel would refuse the text or the range.
std::optional<Wide> parseInteger(std::string_view text, const IntegerType& type) {
    bool negative = false;
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    if (negative && type.minimum == 0) {
        return std::nullopt;
    }
    unsigned base = type.base;
    const bool hexPrefix = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    if ((base == 0 || base == 16) && hexPrefix) {
        base = 16;
        text.remove_prefix(2);
    } else if (base == 0) {
        base = text.size() > 1 && text[0] == '0' ? 8 : 10;
    }
    if (text.empty()) {
        return std::nullopt;
    }
    Wide value = 0;
    const Wide limit = negative ? -type.minimum : type.maximum;
    for (char c : text) {
        const int digit = digitValue(c);
        if (digit >= static_cast<int>(base)) {
            return std::nullopt;
        }
        value = value * base + digit;
        if (value > limit) {
            return std::nullopt;
        }
    }
    return negative ? -value : value;
}

// kstrtobool(): only the first one or two characters count.
bool isKernelBool(std::string_view text) {
    if (text.empty()) {
        return false;
    }
    switch (text[0]) {
    case 'y':
    case 'Y':
    case '1':
    case 'n':
    case 'N':
    case '0':
        return true;
    case 'o':
    case 'O':
        return text.size() > 1 &&
               (text[1] == 'n' || text[1] == 'N' || text[1] == 'f' || text[1] == 'F');
    default:
        return false;
    }
}

std::string toText(Wide value) {
    if (value < 0) {
        return "-" + toText(-value);
    }
    std::string digits;
    do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
        value /= 10;
    } while (value != 0);
    return digits;
}

// What a type takes, in words, for the error message.
std::string expected(std::string_view type) {
    if (const IntegerType* integer = integerType(type)) {
        return std::string(type) + " (" + std::string(integer->description) + " from " +
               toText(integer->minimum) + " to " + toText(integer->maximum) + ")";
    }
    if (type == "bool" || type == "invbool") {
        return std::string(type) + " (y, n, 1, 0, on or off)";
    }
    return std::string(type) + " (text of at most 1024 bytes)";
}

enum class Verdict { Fits, DoesNotFit, NotChecked };

Verdict checkElement(std::string_view type, std::string_view value) {
    if (const IntegerType* integer = integerType(type)) {
        return parseInteger(value, *integer) ? Verdict::Fits : Verdict::DoesNotFit;
    }
    if (type == "bool" || type == "invbool") {
        return isKernelBool(value) ? Verdict::Fits : Verdict::DoesNotFit;
    }
    if (type == "charp") {
        return value.size() <= maxCharpLength ? Verdict::Fits : Verdict::DoesNotFit;
    }
    return Verdict::NotChecked;
}

[[noreturn]] void refuse(const ModuleName& module, const Parameter& parameter,
                         std::string_view type, std::string_view reason) {
    throw Error(
        ErrorKind::InvalidParameter,
        "parameter '" + parameter.name + "' of " + module.str() + " takes " + std::string(reason) +
            expected(type) + ", not " +
            (parameter.value ? quoteForMessage(*parameter.value) : "a flag without a value"));
}

} // namespace

void checkParameterTypes(const ModuleName& module, const ParameterList& parameters,
                         const ParameterTypes& types) {
    constexpr std::string_view arrayPrefix = "array of ";
    for (const Parameter& parameter : parameters.items()) {
        const auto declared = types.find(parameter.name);
        if (declared == types.end()) {
            continue;
        }
        std::string_view type = declared->second;
        const bool array = type.starts_with(arrayPrefix);
        if (array) {
            type.remove_prefix(arrayPrefix.size());
        }
        if (checkElement(type, "0") == Verdict::NotChecked) {
            continue;
        }
        // A parameter without a value is "true" for a bool and an error for every other type.
        if (!parameter.value) {
            if (!array && (type == "bool" || type == "invbool")) {
                continue;
            }
            refuse(module, parameter, type, array ? "a comma-separated list of " : "");
        }
        std::string_view rest = *parameter.value;
        if (!array) {
            if (checkElement(type, rest) == Verdict::DoesNotFit) {
                refuse(module, parameter, type, "");
            }
            continue;
        }
        for (;;) {
            const auto comma = rest.find(',');
            if (checkElement(type, rest.substr(0, comma)) == Verdict::DoesNotFit) {
                refuse(module, parameter, type, "a comma-separated list of ");
            }
            if (comma == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(comma + 1);
        }
    }
}

} // namespace kmodd

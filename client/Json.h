#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kmodctl {

/// text as a JSON string literal, quotes included. text is UTF-8 (as every D-Bus string is);
/// '"', '\\' and control characters are escaped, everything else is copied.
std::string jsonString(std::string_view text);

/// An array of JSON strings.
std::string jsonStringArray(const std::vector<std::string>& items);

/// An object whose values are JSON strings.
std::string jsonStringObject(const std::map<std::string, std::string>& members);

/// Builds one JSON object member by member, in the order given, on one line.
class JsonObject {
  public:
    /// Adds a member whose value is already JSON text (from the functions above).
    JsonObject& raw(std::string_view key, std::string_view json);
    JsonObject& string(std::string_view key, std::string_view value);
    JsonObject& number(std::string_view key, std::uint64_t value);

    /// The object, braces included.
    std::string str() const { return text_ + "}"; }

  private:
    std::string text_ = "{";
};

/// Joins JSON values into an array.
std::string jsonArray(const std::vector<std::string>& jsonValues);

} // namespace kmodctl

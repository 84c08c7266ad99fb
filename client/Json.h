#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace kmodctl {

/// kmodctl's JSON, written by nlohmann-json.

/// text as a JSON string literal, quotes included. text is UTF-8 (as every D-Bus string is);
/// '"', '\\' and control characters are escaped, everything else is copied (an invalid UTF-8
/// sequence becomes U+FFFD).
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
    std::string str() const;

  private:
    nlohmann::ordered_json object_ = nlohmann::ordered_json::object();
};

/// Joins JSON values into an array.
std::string jsonArray(const std::vector<std::string>& jsonValues);

} // namespace kmodctl

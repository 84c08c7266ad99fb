#include "Json.h"

namespace kmodctl {

std::string jsonString(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string json = "\"";
    json.reserve(text.size() + 2);
    for (char c : text) {
        switch (c) {
        case '"':
            json += "\\\"";
            break;
        case '\\':
            json += "\\\\";
            break;
        case '\n':
            json += "\\n";
            break;
        case '\t':
            json += "\\t";
            break;
        case '\r':
            json += "\\r";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                json += "\\u00";
                json += hex[(c >> 4) & 0xf];
                json += hex[c & 0xf];
            } else {
                json += c;
            }
        }
    }
    return json + "\"";
}

std::string jsonArray(const std::vector<std::string>& jsonValues) {
    std::string json = "[";
    for (const std::string& value : jsonValues) {
        json += (json.size() > 1 ? "," : "") + value;
    }
    return json + "]";
}

std::string jsonStringArray(const std::vector<std::string>& items) {
    std::vector<std::string> values;
    values.reserve(items.size());
    for (const std::string& item : items) {
        values.push_back(jsonString(item));
    }
    return jsonArray(values);
}

std::string jsonStringObject(const std::map<std::string, std::string>& members) {
    JsonObject object;
    for (const auto& [key, value] : members) {
        object.string(key, value);
    }
    return object.str();
}

JsonObject& JsonObject::raw(std::string_view key, std::string_view json) {
    text_ += (text_.size() > 1 ? "," : "") + jsonString(key) + ":";
    text_ += json;
    return *this;
}

JsonObject& JsonObject::string(std::string_view key, std::string_view value) {
    return raw(key, jsonString(value));
}

JsonObject& JsonObject::number(std::string_view key, std::uint64_t value) {
    return raw(key, std::to_string(value));
}

} // namespace kmodctl

#include "Json.h"

namespace kmodctl {
namespace {

// D-Bus strings are UTF-8; a byte sequence that is not would be replaced rather than thrown at.
std::string dumped(const nlohmann::ordered_json& value) {
    return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

} // namespace

std::string jsonString(std::string_view text) {
    return dumped(std::string(text));
}

std::string jsonArray(const std::vector<std::string>& jsonValues) {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const std::string& value : jsonValues) {
        array.push_back(nlohmann::ordered_json::parse(value));
    }
    return dumped(array);
}

std::string jsonStringArray(const std::vector<std::string>& items) {
    return dumped(items);
}

std::string jsonStringObject(const std::map<std::string, std::string>& members) {
    return dumped(members);
}

JsonObject& JsonObject::raw(std::string_view key, std::string_view json) {
    object_[std::string(key)] = nlohmann::ordered_json::parse(json);
    return *this;
}

JsonObject& JsonObject::string(std::string_view key, std::string_view value) {
    object_[std::string(key)] = std::string(value);
    return *this;
}

JsonObject& JsonObject::number(std::string_view key, std::uint64_t value) {
    object_[std::string(key)] = value;
    return *this;
}

std::string JsonObject::str() const {
    return dumped(object_);
}

} // namespace kmodctl

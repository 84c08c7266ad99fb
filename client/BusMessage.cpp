#include "BusMessage.h"

#include <cstring>
#include <stdexcept>

namespace kmodctl {
namespace {

// sd-bus returns -errno; 0 from a read means the array being read has ended.
int checked(int result, const char* what) {
    if (result < 0) {
        throw std::runtime_error(std::string("cannot ") + what +
                                 " a D-Bus message: " + std::strerror(-result));
    }
    return result;
}

void endOfArrayIsUnexpected(int result) {
    if (result == 0) {
        throw std::runtime_error("a D-Bus message ended before the value kmodctl expected");
    }
}

} // namespace

BusMessage& BusMessage::append(std::string_view text) {
    const std::string terminated(text);
    checked(sd_bus_message_append_basic(get(), 's', terminated.c_str()), "write");
    return *this;
}

BusMessage& BusMessage::append(std::uint64_t number) {
    checked(sd_bus_message_append_basic(get(), 't', &number), "write");
    return *this;
}

BusMessage& BusMessage::append(const std::map<std::string, std::string>& members) {
    checked(sd_bus_message_open_container(get(), 'a', "{ss}"), "write");
    for (const auto& [key, value] : members) {
        checked(sd_bus_message_append(get(), "{ss}", key.c_str(), value.c_str()), "write");
    }
    checked(sd_bus_message_close_container(get()), "write");
    return *this;
}

std::string BusMessage::readString() {
    char type = 0;
    checked(sd_bus_message_peek_type(get(), &type, nullptr), "read");
    const char* text = nullptr;
    endOfArrayIsUnexpected(
        checked(sd_bus_message_read_basic(get(), type == 'o' ? 'o' : 's', &text), "read"));
    return text;
}

std::uint32_t BusMessage::readUint32() {
    std::uint32_t number = 0;
    endOfArrayIsUnexpected(checked(sd_bus_message_read_basic(get(), 'u', &number), "read"));
    return number;
}

std::vector<std::string> BusMessage::readStrings() {
    std::vector<std::string> items;
    enterPresent('a', "s");
    const char* text = nullptr;
    while (checked(sd_bus_message_read_basic(get(), 's', &text), "read") > 0) {
        items.emplace_back(text);
    }
    exit();
    return items;
}

std::map<std::string, std::string> BusMessage::readStringMap() {
    std::map<std::string, std::string> members;
    enterPresent('a', "{ss}");
    const char* key = nullptr;
    const char* value = nullptr;
    while (checked(sd_bus_message_read(get(), "{ss}", &key, &value), "read") > 0) {
        members.emplace(key, value);
    }
    exit();
    return members;
}

bool BusMessage::readPropertyValue(PropertyValue& value) {
    const char* contents = nullptr;
    checked(sd_bus_message_peek_type(get(), nullptr, &contents), "read");
    const std::string_view type = contents ? contents : "";
    if (type != "s" && type != "u" && type != "as" && type != "a{ss}") {
        skip("v");
        return false;
    }
    enterPresent('v', contents);
    if (type == "s") {
        value = readString();
    } else if (type == "u") {
        value = readUint32();
    } else if (type == "as") {
        value = readStrings();
    } else {
        value = readStringMap();
    }
    exit();
    return true;
}

PropertyMap BusMessage::readPropertyMap() {
    PropertyMap properties;
    enterPresent('a', "{sv}");
    while (enter('e', "sv")) {
        std::string name = readString();
        if (PropertyValue value; readPropertyValue(value)) {
            properties.emplace(std::move(name), std::move(value));
        }
        exit();
    }
    exit();
    return properties;
}

bool BusMessage::enter(char type, const char* contents) {
    return checked(sd_bus_message_enter_container(get(), type, contents), "read") > 0;
}

void BusMessage::enterPresent(char type, const char* contents) {
    endOfArrayIsUnexpected(checked(sd_bus_message_enter_container(get(), type, contents), "read"));
}

void BusMessage::exit() {
    checked(sd_bus_message_exit_container(get()), "read");
}

void BusMessage::skip(const char* types) {
    checked(sd_bus_message_skip(get(), types), "read");
}

} // namespace kmodctl

#pragma once

#include "ModuleInfo.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <systemd/sd-bus.h>
#include <vector>

namespace kmodctl {

/// An sd-bus message kmodctl appends arguments to or reads a reply from, in the order of its
/// signature. Reading what the message does not hold (another type, or past its end) throws
/// std::runtime_error: a reply kmodd would never send.
class BusMessage {
  public:
    /// Takes over the caller's reference.
    explicit BusMessage(sd_bus_message* message) : message_(message) {}

    sd_bus_message* get() const { return message_.get(); }

    BusMessage& append(std::string_view text);
    BusMessage& append(std::uint64_t number);
    /// An a{ss}.
    BusMessage& append(const std::map<std::string, std::string>& members);

    /// An s or an o.
    std::string readString();
    std::uint32_t readUint32();
    /// An as.
    std::vector<std::string> readStrings();
    /// An a{ss}.
    std::map<std::string, std::string> readStringMap();
    /// A v holding one of the types org.kmodd.Module1's properties have (s, u, as, a{ss}); a
    /// variant of any other type is skipped and false returned.
    bool readPropertyValue(PropertyValue& value);
    /// An a{sv}, as PropertyMap: values of other types are left out.
    PropertyMap readPropertyMap();
    /// An array of structs with these fields ("ssss" for a(ssss)); readOne reads one struct's
    /// fields, once for each.
    template <class ReadOne> void readStructs(const std::string& fields, ReadOne&& readOne) {
        enterPresent('a', ("(" + fields + ")").c_str());
        while (enter('r', fields.c_str())) {
            readOne();
            exit();
        }
        exit();
    }

    /// Enters the next array, struct or dict entry (type 'a', 'r' or 'e') with these contents;
    /// false at the end of the array being read.
    bool enter(char type, const char* contents);
    /// enter, for a value that must be there.
    void enterPresent(char type, const char* contents);
    void exit();
    /// Skips the next values of these types, e.g. "s" or "a{sv}".
    void skip(const char* types);

  private:
    struct Unref {
        void operator()(sd_bus_message* message) const { sd_bus_message_unref(message); }
    };
    std::unique_ptr<sd_bus_message, Unref> message_;
};

} // namespace kmodctl

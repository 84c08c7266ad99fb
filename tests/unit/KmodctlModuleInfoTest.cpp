#include "BusMessage.h"
#include "ModuleInfo.h"

#include <gtest/gtest.h>
#include <optional>
#include <sys/socket.h>
#include <unistd.h>

namespace kmodctl {
namespace {

// An a{sv} reply as kmodd's GetModule sends one, sealed and ready to read. sd-bus makes messages
// only for a started bus: this one is one end of a socket pair that nothing ever answers.
class GetModuleDictionary : public ::testing::Test {
  protected:
    GetModuleDictionary() {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0 ||
            sd_bus_new(&bus_) < 0 || sd_bus_set_fd(bus_, fds[0], fds[0]) < 0 ||
            sd_bus_start(bus_) < 0) {
            ADD_FAILURE() << "no bus to make messages with";
        }
        peer_ = fds[1];
        sd_bus_message* message = nullptr;
        sd_bus_message_new_method_call(bus_, &message, "org.kmodd.Manager1", "/org/kmodd/Manager1",
                                       "org.kmodd.Manager1", "GetModule");
        message_.emplace(message);
        sd_bus_message_open_container(message, 'a', "{sv}");
    }
    ~GetModuleDictionary() override {
        message_.reset();
        sd_bus_close_unref(bus_);
        ::close(peer_);
    }

    template <typename... Values> void add(const char* name, const char* type, Values... values) {
        sd_bus_message_append(message_->get(), "{sv}", name, type, values...);
    }

    /// The dictionary, read as kmodctl reads the reply.
    PropertyMap read() {
        sd_bus_message_close_container(message_->get());
        EXPECT_GE(sd_bus_message_seal(message_->get(), 1, 0), 0);
        EXPECT_GE(sd_bus_message_rewind(message_->get(), 1), 0);
        return message_->readPropertyMap();
    }

  private:
    sd_bus* bus_ = nullptr;
    int peer_ = -1;
    std::optional<BusMessage> message_;
};

class AKmodctlModuleDetails : public GetModuleDictionary {};
class AKmodctlPropertyMap : public GetModuleDictionary {};

TEST_F(AKmodctlModuleDetails, AreReadFromTheGetModuleDictionary) {
    add("Name", "s", "dummy");
    add("State", "s", "live");
    add("RefCount", "u", std::uint32_t{3});
    add("Holders", "as", 1, "veth");
    add("Parameters", "a{ss}", 1, "numdummies", "2");
    add("Path", "s", "/lib/modules/x/dummy.ko");
    add("Version", "s", "1.0");
    add("Signer", "s", "Build key");
    add("RestrictedParameters", "as", 1, "secret");
    const ModuleDetails expected{
        "dummy", "live",      3,         {"veth"}, {{"numdummies", "2"}}, "/lib/modules/x/dummy.ko",
        "1.0",   "Build key", {"secret"}};
    EXPECT_EQ(detailsFromProperties(read()), expected);
}

TEST_F(AKmodctlModuleDetails, LeaveMissingOrMistypedPropertiesEmpty) {
    add("Name", "s", "dummy");
    add("RefCount", "s", "three");
    add("Holders", "b", 1);
    ModuleDetails expected;
    expected.name = "dummy";
    EXPECT_EQ(detailsFromProperties(read()), expected);
}

TEST_F(AKmodctlPropertyMap, LeavesOutTypesModule1DoesNotUse) {
    add("State", "s", "going");
    add("Odd", "x", std::int64_t{-1});
    const PropertyMap expected{{"State", std::string("going")}};
    EXPECT_EQ(read(), expected);
}

} // namespace
} // namespace kmodctl

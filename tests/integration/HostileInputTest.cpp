#include "RawBusClient.h"
#include "ServiceTest.h"
#include "WireNames.h"

#include <algorithm>
#include <cstdlib>
#include <gmock/gmock.h>

namespace kmodd::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::SizeIs;

struct Refusal {
    std::string name; ///< the D-Bus error name, or "none" when the call succeeded
    std::string message;
};

// Requests no client should send. Every one must be refused with a clear error, load nothing
// and leave the daemon serving.
class AHostileRequest : public ServiceTest {
  protected:
    static Refusal refusalOf(const std::function<void()>& call) {
        try {
            call();
        } catch (const sdbus::Error& error) {
            return {error.getName(), error.getMessage()};
        }
        return {"none", ""};
    }

    Refusal load(const std::string& name, const std::map<std::string, std::string>& parameters = {},
                 std::uint64_t flags = 0) {
        return refusalOf([&] {
            manager()
                .callMethod("Load")
                .onInterface(managerInterface)
                .withArguments(name, parameters, flags);
        });
    }

    Refusal unload(const std::string& name, std::uint64_t flags = 0) {
        return refusalOf([&] {
            manager().callMethod("Unload").onInterface(managerInterface).withArguments(name, flags);
        });
    }

    Refusal getModule(const std::string& name) {
        return refusalOf([&] {
            manager().callMethod("GetModule").onInterface(managerInterface).withArguments(name);
        });
    }

    Refusal callWithFlags(const std::string& method, std::uint64_t flags) {
        return refusalOf([&] {
            manager().callMethod(method).onInterface(managerInterface).withArguments(flags);
        });
    }

    /// Nothing is loaded, and the daemon still serves: a well-formed load succeeds.
    void expectNothingLoadedAndTheDaemonServing() {
        EXPECT_THAT(loadedModules(), SizeIs(0));
        EXPECT_EQ(load("veth").name, "none");
        EXPECT_EQ(loadedModules(), std::vector<std::string>{"veth"}) << daemonLog();
    }
};

// One sentence on one line, short whatever the input's size.
auto isOneShortLine() {
    return AllOf(SizeIs(::testing::Lt(400U)), ::testing::Not(HasSubstr("\n")));
}

TEST_F(AHostileRequest, NamingAPathOrAControlCharacterIsRefusedByEveryMethod) {
    for (const std::string& name :
         {std::string("../dummy"), std::string("kernel/drivers/test/dummy"),
          modules().pathOf("dummy").string(), std::string("dummy\n"), std::string("dummy\nveth"),
          std::string("dum my"), std::string("dummy\t"), std::string("\x1b[2Jdummy"),
          std::string("")}) {
        SCOPED_TRACE(name);
        for (const Refusal& refusal : {unload(name), getModule(name)}) {
            EXPECT_EQ(refusal.name,
                      kmodd::wire::error::busName(kmodd::wire::error::invalidArgument));
            EXPECT_THAT(refusal.message, isOneShortLine());
        }
        const Refusal refusal = load(name);
        EXPECT_EQ(refusal.name, kmodd::wire::error::busName(kmodd::wire::error::invalidArgument));
        EXPECT_THAT(refusal.message, AllOf(isOneShortLine(), HasSubstr("is not a module name")));
    }
    // ".." has no '/': it can only be looked up as a name or an alias, and nothing has it.
    for (const Refusal& refusal : {load(".."), unload(".."), getModule("..")}) {
        EXPECT_EQ(refusal.name, kmodd::wire::error::busName(kmodd::wire::error::notFound));
        EXPECT_THAT(refusal.message, AllOf(isOneShortLine(), HasSubstr("..")));
    }
    expectNothingLoadedAndTheDaemonServing();
}

TEST_F(AHostileRequest, GivenToKmodctlIsRefusedInOneLine) {
    for (const char* name : {"../dummy", "dummy\nveth"}) {
        const auto load = kmodctl({"load", name});

        EXPECT_EQ(load.exitCode, exitCode::usage) << load.describe();
        EXPECT_THAT(load.err, AllOf(HasSubstr("dummy"), SizeIs(::testing::Lt(400U))));
        EXPECT_EQ(std::count(load.err.begin(), load.err.end(), '\n'), 1) << load.err;
    }
    // Not UTF-8: sd-bus will not send it, and kmodctl fails in one line.
    const auto load = kmodctl({"load", "dum\xffmy"});
    EXPECT_EQ(load.exitCode, exitCode::failed) << load.describe();
    EXPECT_EQ(std::count(load.err.begin(), load.err.end(), '\n'), 1) << load.err;
    expectNothingLoadedAndTheDaemonServing();
}

TEST_F(AHostileRequest, With64KiBStringsIsRefusedWithAShortMessage) {
    const std::string huge(64 * 1024, 'a');

    for (const Refusal& refusal :
         {load(huge), unload(huge), getModule(huge), load("dummy", {{huge, "1"}}),
          load("dummy", {{"numdummies", huge}})}) {
        EXPECT_EQ(refusal.name, kmodd::wire::error::busName(kmodd::wire::error::invalidArgument));
        EXPECT_THAT(refusal.message, isOneShortLine());
    }
    const auto kmodctlLoad = kmodctl({"load", "dummy", "numdummies=" + huge});
    EXPECT_NE(kmodctlLoad.exitCode, exitCode::success) << kmodctlLoad.describe();
    EXPECT_THAT(kmodctlLoad.err, SizeIs(::testing::Lt(400U)));
    expectNothingLoadedAndTheDaemonServing();
}

TEST_F(AHostileRequest, WithANulOrInvalidUtf8IsDroppedByTheBusBeforeTheDaemon) {
    const std::string address = std::getenv("DBUS_SYSTEM_BUS_ADDRESS");
    for (const std::string& name :
         {std::string("dum\0my", 6), std::string("dummy\0", 6), std::string("dum\xffmy"),
          std::string("\xc0\xaf"
                      "dummy"),
          std::string("\xed\xa0\x80")}) {
        SCOPED_TRACE(::testing::PrintToString(name));
        RawBusClient client(address);
        const auto serial =
            client.call(busName, managerPath, managerInterface, "GetModule", {name});
        EXPECT_EQ(client.replyTo(serial, 10s), std::nullopt) << "the bus disconnects the sender";
    }
    // The same client with a well-formed but bad name gets the daemon's refusal.
    RawBusClient client(address);
    const auto serial =
        client.call(busName, managerPath, managerInterface, "GetModule", {"../dummy"});
    EXPECT_EQ(client.replyTo(serial, 10s),
              kmodd::wire::error::busName(kmodd::wire::error::invalidArgument));
    expectNothingLoadedAndTheDaemonServing();
}

TEST_F(AHostileRequest, CannotSmuggleASecondParameterThroughAValueOrAName) {
    const std::map<std::string, std::string> attempts[] = {
        {{"numdummies", "1\" numdummies=\"9"}},
        {{"numdummies", "1\nnumdummies=9"}},
        {{"numdummies", "1\tnumdummies=9"}},
        {{"numdummies=9", "1"}},
        {{"numdummies 9", ""}},
        {{"numdummies\nx", "1"}},
    };
    for (const auto& parameters : attempts) {
        SCOPED_TRACE(parameters.begin()->first + " = " + parameters.begin()->second);
        const Refusal refusal = load("dummy", parameters);
        EXPECT_EQ(refusal.name, kmodd::wire::error::busName(kmodd::wire::error::invalidArgument));
        EXPECT_THAT(refusal.message, AllOf(isOneShortLine(), HasSubstr("dummy")));
    }
    const Refusal undeclared = load("dummy", {{"opt", "1 numdummies=9"}});
    EXPECT_EQ(undeclared.name, kmodd::wire::error::busName(kmodd::wire::error::invalidParameter));
    EXPECT_THAT(undeclared.message, HasSubstr("'opt'"));
    expectNothingLoadedAndTheDaemonServing();
}

TEST_F(AHostileRequest, WithASpaceInAValueGivesTheModuleThatOneValue) {
    const auto load = kmodctl({"load", "dummy", "label=1 numdummies=9"});
    ASSERT_EQ(load.exitCode, exitCode::success) << load.describe();

    const auto status = kmodctl({"status", "dummy", "--json"});

    EXPECT_THAT(status.out,
                HasSubstr(R"("parameters":{"label":"1 numdummies=9","numdummies":"2"})"))
        << status.describe();
}

TEST_F(AHostileRequest, WithUnknownFlagBitsIsRefusedNamingTheBits) {
    EXPECT_THAT(load("dummy", {}, 0x20).message, HasSubstr("0x20"));
    EXPECT_EQ(load("dummy", {}, std::uint64_t{1} << 63).name,
              kmodd::wire::error::busName(kmodd::wire::error::invalidArgument));
    EXPECT_EQ(unload("dummy", 0x2).name,
              kmodd::wire::error::busName(kmodd::wire::error::invalidArgument));
    for (const char* method : {"Reload", "LoadBootModules"}) {
        const Refusal refusal = callWithFlags(method, 0x6);
        EXPECT_EQ(refusal.name, kmodd::wire::error::busName(kmodd::wire::error::invalidArgument))
            << method;
        EXPECT_THAT(refusal.message, AllOf(HasSubstr(method), HasSubstr("0x6")));
    }
    expectNothingLoadedAndTheDaemonServing();
}

} // namespace
} // namespace kmodd::testing

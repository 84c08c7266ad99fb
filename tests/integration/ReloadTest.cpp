#include "ServiceTest.h"
#include "WireNames.h"

#include <gmock/gmock.h>

namespace kmodd::testing {
namespace {

using ::testing::HasSubstr;

class AReload : public ServiceTest {};

TEST_F(AReload, AppliesTheNewConfig) {
    writeConfig("trusted_paths: [" + modules().trustedRoot().string() + "]\ndeny: [dummy]\n");

    const auto reload = kmodctl({"reload"});
    ASSERT_EQ(reload.exitCode, exitCode::success) << reload.describe();

    EXPECT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::notAllowed);
    EXPECT_EQ(kmodctl({"load", "pcspkr"}).exitCode, exitCode::success);
}

TEST_F(AReload, OfABadConfigIsRefusedNamingTheFileAndKeepsTheOldOne) {
    // Were it applied, pcspkr would become loadable and dummy refused.
    writeConfig("allow: [pcspkr]\nunknown_key: 1\n");

    const auto reload = kmodctl({"reload"});

    EXPECT_EQ(reload.exitCode, exitCode::failed) << reload.describe();
    EXPECT_THAT(reload.err, HasSubstr(configFile().string()));
    EXPECT_THAT(reload.err, HasSubstr("unknown_key"));
    EXPECT_EQ(errorNameOf([&] {
                  manager()
                      .callMethod("Reload")
                      .onInterface(managerInterface)
                      .withArguments(std::uint64_t{0});
              }),
              kmodd::wire::error::busName(kmodd::wire::error::configInvalid));
    EXPECT_EQ(kmodctl({"load", "pcspkr"}).exitCode, exitCode::notAllowed);
    EXPECT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);
}

} // namespace
} // namespace kmodd::testing

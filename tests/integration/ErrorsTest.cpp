#include "ServiceTest.h"
#include "WireNames.h"

#include <gmock/gmock.h>

namespace kmodd::testing {
namespace {

using ::testing::HasSubstr;

class ALoadRequest : public ServiceTest {
  protected:
    /// The D-Bus error name of Load(name, parameters, flags) called as root.
    std::string loadError(const std::string& name,
                          const std::map<std::string, std::string>& parameters = {},
                          std::uint64_t flags = 0) {
        return errorNameOf([&] {
            manager()
                .callMethod("Load")
                .onInterface(managerInterface)
                .withArguments(name, parameters, flags);
        });
    }
};

class AnUnloadRequest : public ServiceTest {
  protected:
    std::string unloadError(const std::string& name) {
        return errorNameOf([&] {
            manager()
                .callMethod("Unload")
                .onInterface(managerInterface)
                .withArguments(name, std::uint64_t{0});
        });
    }
};

class AFailingKernel : public ALoadRequest {
  protected:
    DaemonOptions daemonOptions() const override {
        return {.environment = {"KMODD_FAKE_FAILURES=finit:dummy:ENOEXEC,finit:veth:ENOEXEC"}};
    }
};

class AModuleLoadedOutsideThePolicy : public AnUnloadRequest {
  protected:
    DaemonOptions daemonOptions() const override {
        return {.environment = {"KMODD_FAKE_PRELOADED=floppy"}};
    }
};

TEST_F(ALoadRequest, ForAnUnknownModuleFailsWithNotFound) {
    const auto load = kmodctl({"load", "nosuchmodule"});

    EXPECT_EQ(load.exitCode, exitCode::notFound) << load.describe();
    EXPECT_THAT(load.err, HasSubstr("nosuchmodule"));
    EXPECT_EQ(loadError("nosuchmodule"), kmodd::wire::error::busName(kmodd::wire::error::notFound));
}

TEST_F(ALoadRequest, ForADeniedModuleFailsWithNotAllowedEvenForRoot) {
    const auto load = kmodctl({"load", "floppy"});

    EXPECT_EQ(load.exitCode, exitCode::notAllowed) << load.describe();
    EXPECT_THAT(load.err, HasSubstr("floppy"));
    EXPECT_EQ(loadError("floppy"), kmodd::wire::error::busName(kmodd::wire::error::notAllowed));
    EXPECT_FALSE(isLoaded("floppy"));
}

TEST_F(ALoadRequest, ForAModuleOutsideTheAllowListFailsWithNotAllowed) {
    const auto load = kmodctl({"load", "pcspkr"});

    EXPECT_EQ(load.exitCode, exitCode::notAllowed) << load.describe();
    EXPECT_EQ(loadError("pcspkr"), kmodd::wire::error::busName(kmodd::wire::error::notAllowed));
    EXPECT_FALSE(isLoaded("pcspkr"));
}

TEST_F(ALoadRequest, ForAWorldWritableModuleFileFailsAsUntrusted) {
    const auto load = kmodctl({"load", "tampered"});

    EXPECT_EQ(load.exitCode, exitCode::failed) << load.describe();
    EXPECT_THAT(load.err, HasSubstr(modules().pathOf("tampered").string()));
    EXPECT_EQ(loadError("tampered"), kmodd::wire::error::busName(kmodd::wire::error::untrusted));
    EXPECT_FALSE(isLoaded("tampered"));
}

TEST_F(ALoadRequest, WithAnUndeclaredParameterFailsWithInvalidParameter) {
    const auto load = kmodctl({"load", "dummy", "bogus=1"});

    EXPECT_EQ(load.exitCode, exitCode::failed) << load.describe();
    EXPECT_THAT(load.err, HasSubstr("bogus"));
    EXPECT_EQ(loadError("dummy", {{"bogus", "1"}}),
              kmodd::wire::error::busName(kmodd::wire::error::invalidParameter));
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(ALoadRequest, WithAMalformedNameFailsWithInvalidArgument) {
    const auto load = kmodctl({"load", "bad/name"});

    EXPECT_EQ(load.exitCode, exitCode::usage) << load.describe();
    EXPECT_THAT(load.err, HasSubstr("bad/name"));
    EXPECT_EQ(loadError("bad/name"),
              kmodd::wire::error::busName(kmodd::wire::error::invalidArgument));
}

TEST_F(ALoadRequest, WithUnknownFlagsFailsWithInvalidArgument) {
    EXPECT_EQ(loadError("dummy", {}, 0x100),
              kmodd::wire::error::busName(kmodd::wire::error::invalidArgument));
    EXPECT_FALSE(isLoaded("dummy"));
}

TEST_F(AFailingKernel, RefusingAModuleFailsTheLoadWithKernelRejected) {
    const auto load = kmodctl({"load", "dummy"});

    EXPECT_EQ(load.exitCode, exitCode::failed) << load.describe();
    EXPECT_THAT(load.err, HasSubstr("dummy"));
    EXPECT_EQ(loadError("veth"), kmodd::wire::error::busName(kmodd::wire::error::kernelRejected));
    EXPECT_FALSE(isLoaded("dummy"));
    EXPECT_FALSE(isLoaded("veth"));
}

TEST_F(AnUnloadRequest, ForAModuleOthersDependOnFailsWithInUseNamingThem) {
    ASSERT_EQ(kmodctl({"load", "bridge"}).exitCode, exitCode::success);

    const auto unload = kmodctl({"unload", "stp"});

    EXPECT_EQ(unload.exitCode, exitCode::failed) << unload.describe();
    EXPECT_THAT(unload.err, HasSubstr("bridge"));
    EXPECT_EQ(unloadError("stp"), kmodd::wire::error::busName(kmodd::wire::error::inUse));
    EXPECT_TRUE(isLoaded("stp"));
}

TEST_F(AnUnloadRequest, ForAModuleThatIsNotLoadedFailsWithNotFound) {
    const auto unload = kmodctl({"unload", "veth"});

    EXPECT_EQ(unload.exitCode, exitCode::notFound) << unload.describe();
    EXPECT_EQ(unloadError("veth"), kmodd::wire::error::busName(kmodd::wire::error::notFound));
}

TEST_F(AModuleLoadedOutsideThePolicy, CannotBeUnloadedThroughKmodd) {
    const auto unload = kmodctl({"unload", "floppy"});

    EXPECT_EQ(unload.exitCode, exitCode::notAllowed) << unload.describe();
    EXPECT_EQ(unloadError("floppy"), kmodd::wire::error::busName(kmodd::wire::error::notAllowed));
    EXPECT_TRUE(isLoaded("floppy"));
}

} // namespace
} // namespace kmodd::testing

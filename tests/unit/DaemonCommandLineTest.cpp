#include "DaemonCommandLine.h"

#include "Error.h"

#include <gtest/gtest.h>

using namespace kmodd;

TEST(TheDaemonCommandLine, DefaultsToTheSystemConfig) {
    const auto commandLine = parseCommandLine({});

    EXPECT_EQ(commandLine.action, CommandLine::Action::Run);
    EXPECT_FALSE(commandLine.options.moduleDirectory.has_value());
    EXPECT_EQ(commandLine.options.configFile, "/etc/kmodd/kmodd.yaml");
    EXPECT_EQ(commandLine.options.dropInDirectory, "/etc/kmodd/kmodd.yaml.d");
    EXPECT_FALSE(commandLine.options.rootSocket.has_value());
    EXPECT_FALSE(commandLine.options.loadBootModules);
    EXPECT_EQ(commandLine.options.logLevel, spdlog::level::info);
}

TEST(TheDaemonCommandLine, TakesValuesAsTheNextArgumentOrAfterAnEqualsSign) {
    const auto options =
        parseCommandLine({"--module-directory", "/m", "--config=/c.yaml", "--drop-in-directory",
                          "/d", "--log-level=debug", "--load-boot-modules", "--root-socket=/r"})
            .options;

    EXPECT_EQ(options.moduleDirectory, std::filesystem::path("/m"));
    EXPECT_EQ(options.configFile, "/c.yaml");
    EXPECT_EQ(options.dropInDirectory, "/d");
    EXPECT_EQ(options.logLevel, spdlog::level::debug);
    EXPECT_TRUE(options.loadBootModules);
    EXPECT_EQ(options.rootSocket, std::filesystem::path("/r"));
}

TEST(TheDaemonCommandLine, LooksForDropInsNextToAnotherConfigFile) {
    EXPECT_EQ(parseCommandLine({"--config", "/tmp/k.yaml"}).options.dropInDirectory,
              "/tmp/k.yaml.d");
}

TEST(TheDaemonCommandLine, RecognisesHelpAndVersion) {
    EXPECT_EQ(parseCommandLine({"--help"}).action, CommandLine::Action::ShowHelp);
    EXPECT_EQ(parseCommandLine({"--version"}).action, CommandLine::Action::ShowVersion);
}

TEST(TheDaemonCommandLine, RefusesUnknownArgumentsMissingValuesAndBadLevels) {
    EXPECT_THROW(parseCommandLine({"--frobnicate"}), Error);
    EXPECT_THROW(parseCommandLine({"stray"}), Error);
    EXPECT_THROW(parseCommandLine({"--config"}), Error);
    EXPECT_THROW(parseCommandLine({"--log-level", "loud"}), Error);
    EXPECT_THROW(parseCommandLine({"--load-boot-modules=yes"}), Error);
}

TEST(TheDaemonCommandLine, DefaultsToTheRunningKernelsModuleDirectory) {
    EXPECT_EQ(defaultModuleDirectory().parent_path(), "/lib/modules");
    EXPECT_FALSE(defaultModuleDirectory().filename().empty());
}

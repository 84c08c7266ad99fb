#include "Config.h"
#include "TextFile.h"

#include <gtest/gtest.h>
#include <sstream>

namespace kmodd::testing {
namespace {

const std::filesystem::path shippedConfig =
    std::filesystem::path(KMODD_SOURCE_DIR) / "config/kmodd.yaml";

TEST(TheShippedConfig, LeavesEveryBuiltInDefaultInForce) {
    EXPECT_EQ(loadConfig(shippedConfig, "/nonexistent/kmodd.yaml.d"), Config{});
}

TEST(TheShippedConfig, IsValidWithEveryExampleUncommented) {
    // Prose is "# Text"; a commented-out setting is "#key: ..." or "#  nested: ...".
    std::istringstream lines(readText(shippedConfig));
    std::string uncommented;
    for (std::string line; std::getline(lines, line);) {
        const bool prose = line.starts_with("# ") && line.size() > 2 && line[2] != ' ';
        uncommented += (line.starts_with("#") && !prose ? line.substr(1) : line) + "\n";
    }

    const auto config = applyConfigText(Config{}, uncommented, shippedConfig.string());

    EXPECT_EQ(config.allow, (std::vector<std::string>{"dummy", "veth", "snd_*"}));
    EXPECT_EQ(config.deny, std::vector<std::string>{"floppy"});
    EXPECT_EQ(config.boot, std::vector<std::string>{"dummy"});
    EXPECT_EQ(config.defaultParameters.size(), 1u);
}

} // namespace
} // namespace kmodd::testing

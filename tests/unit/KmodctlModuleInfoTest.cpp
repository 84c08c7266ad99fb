#include "DBusValues.h"
#include "ModuleInfo.h"

#include <gtest/gtest.h>

namespace kmodctl {
namespace {

TEST(AKmodctlModuleDetails, AreReadFromTheGetModuleDictionary) {
    const std::map<std::string, sdbus::Variant> dictionary{
        {"Name", sdbus::Variant(std::string("dummy"))},
        {"State", sdbus::Variant(std::string("live"))},
        {"RefCount", sdbus::Variant(std::uint32_t{3})},
        {"Holders", sdbus::Variant(std::vector<std::string>{"veth"})},
        {"Parameters", sdbus::Variant(std::map<std::string, std::string>{{"numdummies", "2"}})},
        {"Path", sdbus::Variant(std::string("/lib/modules/x/dummy.ko"))},
        {"Version", sdbus::Variant(std::string("1.0"))},
        {"Signer", sdbus::Variant(std::string("Build key"))},
        {"RestrictedParameters", sdbus::Variant(std::vector<std::string>{"secret"})},
    };
    const ModuleDetails expected{
        "dummy", "live",      3,         {"veth"}, {{"numdummies", "2"}}, "/lib/modules/x/dummy.ko",
        "1.0",   "Build key", {"secret"}};
    EXPECT_EQ(detailsFromProperties(toPropertyMap(dictionary)), expected);
}

TEST(AKmodctlModuleDetails, LeaveMissingOrMistypedPropertiesEmpty) {
    const std::map<std::string, sdbus::Variant> dictionary{
        {"Name", sdbus::Variant(std::string("dummy"))},
        {"RefCount", sdbus::Variant(std::string("three"))},
        {"Holders", sdbus::Variant(true)},
    };
    ModuleDetails expected;
    expected.name = "dummy";
    EXPECT_EQ(detailsFromProperties(toPropertyMap(dictionary)), expected);
}

TEST(AKmodctlPropertyMap, LeavesOutTypesModule1DoesNotUse) {
    const std::map<std::string, sdbus::Variant> variants{
        {"State", sdbus::Variant(std::string("going"))},
        {"Odd", sdbus::Variant(std::int64_t{-1})},
    };
    const PropertyMap expected{{"State", std::string("going")}};
    EXPECT_EQ(toPropertyMap(variants), expected);
}

} // namespace
} // namespace kmodctl

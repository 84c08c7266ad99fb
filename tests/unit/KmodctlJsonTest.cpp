#include "Json.h"

#include <gtest/gtest.h>

namespace kmodctl {
namespace {

TEST(AKmodctlJsonString, QuotesPlainText) {
    EXPECT_EQ(jsonString("dummy"), "\"dummy\"");
}

TEST(AKmodctlJsonString, EscapesQuotesAndBackslashes) {
    EXPECT_EQ(jsonString(R"(a"b\c)"), R"("a\"b\\c")");
}

TEST(AKmodctlJsonString, EscapesEveryControlCharacter) {
    EXPECT_EQ(jsonString("\n\t\r"), R"("\n\t\r")");
    EXPECT_EQ(jsonString(std::string("\0\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
}

TEST(AKmodctlJsonString, CopiesUtf8AndDelete) {
    EXPECT_EQ(jsonString("Gr\xc3\xbc\xc3\x9f\x7f"), "\"Gr\xc3\xbc\xc3\x9f\x7f\"");
}

TEST(AKmodctlJsonString, ReplacesWhatIsNotUtf8) {
    EXPECT_EQ(jsonString("a\xff"), "\"a\xef\xbf\xbd\"");
}

TEST(AKmodctlJson, BuildsArraysAndObjects) {
    EXPECT_EQ(jsonStringArray({}), "[]");
    EXPECT_EQ(jsonStringArray({"a", "b\""}), R"(["a","b\""])");
    EXPECT_EQ(jsonStringObject({}), "{}");
    EXPECT_EQ(jsonStringObject({{"k", "v"}, {"x", ""}}), R"({"k":"v","x":""})");
    EXPECT_EQ(jsonArray({"1", "{}"}), "[1,{}]");
}

TEST(AKmodctlJsonObject, KeepsMembersInTheOrderGiven) {
    EXPECT_EQ(JsonObject().str(), "{}");
    EXPECT_EQ(JsonObject().string("z", "1").number("a", 42).raw("m", "null").str(),
              R"({"z":"1","a":42,"m":null})");
}

} // namespace
} // namespace kmodctl

// Inputs the fuzzers (fuzz/) found to break kmodd, kept as regression tests.
#include "Config.h"
#include "Error.h"
#include "ErrorFrom.h"

#include <algorithm>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kmodd {
namespace {

using kmodd::testing::errorFrom;
using ::testing::StartsWith;

std::string configError(const std::string& text) {
    return errorFrom([&] { applyConfigText({}, text, "test.yaml"); }, ErrorKind::ConfigInvalid);
}

bool isPrintableAscii(const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= ' ' && c < 0x7f; });
}

// yaml-cpp puts the offending byte in its message, and sd-bus cannot send a D-Bus error whose
// message is not UTF-8: the caller would wait for an answer that never comes.
TEST(AConfigTextWithABadEscape, IsRefusedWithAMessageInPrintableAscii) {
    const std::string message = configError("allow: [\"\\\xe4\"]\n");

    EXPECT_THAT(message, StartsWith("test.yaml:1: invalid YAML: "));
    EXPECT_TRUE(isPrintableAscii(message)) << message;
}

// yaml-cpp 0.7's LoadAll turns a stray ',' into null documents forever, allocating each one.
TEST(AConfigTextWithAStrayFlowEntry, IsRefusedInsteadOfReadForever) {
    EXPECT_THAT(configError("allow: [dummy]\n,\n"), StartsWith("test.yaml:2: "));
    EXPECT_THAT(configError("\n,\n    "), StartsWith("test.yaml:2: "));
}

} // namespace
} // namespace kmodd

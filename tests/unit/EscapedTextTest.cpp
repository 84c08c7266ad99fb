#include "EscapedText.h"

#include <gtest/gtest.h>

using kmodd::escapeControlCharacters;

TEST(EscapedText, KeepsPrintableTextAndUtf8AsItIs) {
    EXPECT_EQ(escapeControlCharacters("dummy numdummies=2 é €"), "dummy numdummies=2 é €");
}

TEST(EscapedText, WritesNewlinesTabsAndCarriageReturnsAsCEscapes) {
    EXPECT_EQ(escapeControlCharacters("a\nb\tc\rd"), "a\\nb\\tc\\rd");
}

TEST(EscapedText, WritesOtherControlCharactersAsHex) {
    EXPECT_EQ(escapeControlCharacters(std::string("\x1b[2J\x7f\0x", 7)), "\\x1b[2J\\x7f\\x00x");
}

TEST(EscapedText, WritesC1ControlsAsTheirUtf8Bytes) {
    EXPECT_EQ(escapeControlCharacters("a\xc2\x9b"
                                      "31mb\xc2\xa0"),
              "a\\xc2\\x9b31mb\xc2\xa0");
}

TEST(EscapedText, EscapesTheBackslashSoThatNoEscapeCanBeFaked) {
    EXPECT_EQ(escapeControlCharacters("a\\nb"), "a\\\\nb");
}

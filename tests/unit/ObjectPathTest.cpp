#include "ObjectPath.h"

#include <gtest/gtest.h>

using namespace kmodd;

TEST(AnObjectPathElement, KeepsLettersDigitsAndUnderscores) {
    EXPECT_EQ(escapeObjectPathElement("snd_hda_Intel2"), "snd_hda_Intel2");
}

TEST(AnObjectPathElement, WritesADashAsAnUnderscoreLikeTheKernel) {
    EXPECT_EQ(escapeObjectPathElement("nf-conntrack"), "nf_conntrack");
}

TEST(AnObjectPathElement, EscapesEveryOtherByteAsLowercaseHex) {
    EXPECT_EQ(escapeObjectPathElement("a.b/c:*"), "a_2eb_2fc_3a_2a");
    EXPECT_EQ(escapeObjectPathElement("\xff\n"), "_ff_0a");
}

TEST(AnObjectPathElement, IsNeverEmpty) {
    EXPECT_EQ(escapeObjectPathElement(""), "_");
}

TEST(AModuleObjectPath, LiesUnderTheManager) {
    EXPECT_EQ(moduleObjectPath(ModuleName::parse("nf-nat")), "/org/kmodd/Manager1/module/nf_nat");
}

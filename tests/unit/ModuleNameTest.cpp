#include "ModuleName.h"

#include "Error.h"
#include "ErrorFrom.h"

#include <gtest/gtest.h>
#include <string>
#include <vector>

using kmodd::Error;
using kmodd::ErrorKind;
using kmodd::ModuleName;
using kmodd::validateRequestedName;
using kmodd::testing::errorFrom;

namespace {

TEST(AModuleName, WritesDashesAsUnderscores) {
    EXPECT_EQ(ModuleName::parse("snd-hda-intel").str(), "snd_hda_intel");
    EXPECT_EQ(ModuleName::parse("snd-hda_intel"), ModuleName::parse("snd_hda-intel"));
}

TEST(AModuleName, AcceptsTheLongestNameTheKernelAllows) {
    EXPECT_NO_THROW(ModuleName::parse(std::string(55, 'a')));
    errorFrom([] { ModuleName::parse(std::string(56, 'a')); }, ErrorKind::InvalidArgument);
}

TEST(AModuleName, RefusesPathsSpacesAndControlCharacters) {
    for (const std::string& bad :
         std::vector<std::string>{"", "../dummy", "a/b", "dum my", "dummy\n",
                                  std::string("du\0m", 4), "dummy.ko", "\xff\xfe"}) {
        SCOPED_TRACE(bad);
        errorFrom([&] { ModuleName::parse(bad); }, ErrorKind::InvalidArgument);
    }
}

TEST(AModuleName, QuotesTheBadNameWithoutEchoingControlBytes) {
    try {
        ModuleName::parse("bad\nname");
        FAIL();
    } catch (const Error& error) {
        EXPECT_STREQ(error.what(),
                     "'bad?name' is not a module name: use 1 to 55 letters, digits, '_' or '-'");
    }
}

TEST(AModuleName, ShortensAHugeBadNameInTheMessage) {
    try {
        ModuleName::parse(std::string(65536, 'x') + "/");
        FAIL();
    } catch (const Error& error) {
        EXPECT_LT(std::string(error.what()).size(), 200U);
    }
}

TEST(ARequestedName, AcceptsAliasesWithPunctuation) {
    EXPECT_EQ(validateRequestedName("fs-ext4"), "fs-ext4");
    EXPECT_EQ(validateRequestedName("pci:v00008086d00001234sv*sd*bc*sc*i*"),
              "pci:v00008086d00001234sv*sd*bc*sc*i*");
    EXPECT_EQ(validateRequestedName("char-major-10-237"), "char-major-10-237");
}

TEST(ARequestedName, RefusesSlashesQuotesWhitespaceAndNonAscii) {
    for (const std::string& bad : std::vector<std::string>{
             "", "/lib/modules/x.ko", "../x", "a b", "a\tb", "a\"b", "a'b", "a\\b",
             "\xc3\xa9t\xc3\xa9", std::string("a\0b", 3), std::string(257, 'a')}) {
        SCOPED_TRACE(bad);
        errorFrom([&] { validateRequestedName(bad); }, ErrorKind::InvalidArgument);
    }
}

} // namespace

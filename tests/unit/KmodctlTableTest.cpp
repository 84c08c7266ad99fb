#include "Table.h"

#include <gtest/gtest.h>

namespace kmodctl {
namespace {

TEST(AKmodctlTable, PadsColumnsToTheirWidestCellWithoutTrailingSpaces) {
    const std::string table = formatTable({{"MODULE"}, {"REFS", true}, {"USED-BY"}},
                                          {{"dummy", "0", ""}, {"snd_hda_intel", "12", "a,b"}});
    EXPECT_EQ(table, "MODULE         REFS  USED-BY\n"
                     "dummy             0\n"
                     "snd_hda_intel    12  a,b\n");
}

TEST(AKmodctlTable, PrintsTheHeadingForNoRows) {
    EXPECT_EQ(formatTable({{"A"}, {"B"}}, {}), "A  B\n");
}

} // namespace
} // namespace kmodctl

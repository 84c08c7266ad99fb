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

TEST(AKmodctlTable, PaintsTheCellsOfAColumnAfterPaddingThemButNotItsHeading) {
    const auto brackets = [](const std::string& cell) {
        return "[" + cell + "]";
    };
    const std::string table = formatTable({{"MODULE"}, {"STATE", false, brackets}, {"REFS", true}},
                                          {{"dummy", "live", "0"}, {"veth", "coming", "12"}});
    EXPECT_EQ(table, "MODULE  STATE   REFS\n"
                     "dummy   [live]       0\n"
                     "veth    [coming]    12\n");
}

TEST(AKmodctlTable, PrintsTheHeadingForNoRows) {
    EXPECT_EQ(formatTable({{"A"}, {"B"}}, {}), "A  B\n");
}

} // namespace
} // namespace kmodctl

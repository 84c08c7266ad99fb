#include "Colour.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace kmodctl {
namespace {

TEST(KmodctlColours, AreUsedOnATerminal) {
    EXPECT_TRUE(wantsColour(true, nullptr, "xterm-256color", false));
    EXPECT_TRUE(wantsColour(true, "", "linux", false)) << "an empty NO_COLOR is not set";
}

TEST(KmodctlColours, AreNeverUsedOffATerminalWithNoColorOrForJson) {
    EXPECT_FALSE(wantsColour(false, nullptr, "xterm", false));
    EXPECT_FALSE(wantsColour(true, "1", "xterm", false));
    EXPECT_FALSE(wantsColour(true, nullptr, "xterm", true));
}

TEST(KmodctlColours, AreNeverUsedOnADumbTerminal) {
    EXPECT_FALSE(wantsColour(true, nullptr, "dumb", false));
    EXPECT_FALSE(wantsColour(true, nullptr, nullptr, false));
}

TEST(KmodctlColours, AreNeverUsedWhenStandardOutputIsAPipe) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const bool colour = wantsColour(fds[1], false);
    ::close(fds[0]);
    ::close(fds[1]);
    EXPECT_FALSE(colour);
}

TEST(PaintedText, IsWrappedInAnsiEscapesOnlyWhenEnabled) {
    EXPECT_EQ(painted("live", Colour::Green, true), "\x1b[0;32mlive\x1b[0m");
    EXPECT_EQ(painted("kmodctl:", Colour::Red, true), "\x1b[0;1;31mkmodctl:\x1b[0m");
    EXPECT_EQ(painted("live", Colour::Green, false), "live");
}

} // namespace
} // namespace kmodctl

#include "Subprocess.h"

#include "PrivatePolkit.h"
#include "ProgramCopy.h"
#include "ScratchDirectory.h"

#include <filesystem>
#include <gmock/gmock.h>
#include <stdexcept>

namespace kmodd::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(ASubprocess, ThatItsUserCannotExecuteSaysWhyInsteadOfAnEmptyExit127) {
    const ScratchDirectory scratch("subprocess");
    const auto hidden = scratch.createDirectories("hidden");
    fs::permissions(hidden, fs::perms(0700));
    const auto program = hidden / "true";
    fs::copy_file("/bin/true", program);

    EXPECT_THAT([&] { run({program.string()}, {.user = accounts::nobody}); },
                ::testing::ThrowsMessage<std::runtime_error>(
                    AllOf(HasSubstr("cannot run " + program.string() + " as uid 65534"),
                          HasSubstr("Permission denied"))));
}

TEST(ACopyOfKmodctl, RunsAsAnotherUserWhereverTheBuildTreeIs) {
    const auto outcome = run({kmodctlForAnyUser(), "--version"}, {.user = accounts::nobody});

    EXPECT_EQ(outcome.exitCode, 0) << outcome.describe();
}

} // namespace
} // namespace kmodd::testing

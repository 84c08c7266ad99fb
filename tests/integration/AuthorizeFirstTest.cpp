#include "ServiceTest.h"
#include "Subprocess.h"
#include "TextFile.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <memory>
#include <thread>

namespace kmodd::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

// What unprivileged callers can make kmodd spend before polkit has said yes: nothing but the
// checks (SPEC "Limits"); and what they cannot take from root. Where polkit must be slow,
// polkitd is frozen so that every check waits.
class AnUnprivilegedFlood : public ServiceTest {
  protected:
    // Loads sent by busctl as user, each waiting for its answer.
    std::vector<std::unique_ptr<Subprocess>> startLoads(Credentials user, const std::string& name,
                                                        int count) {
        std::vector<std::unique_ptr<Subprocess>> loads;
        for (int i = 0; i < count; ++i) {
            loads.push_back(std::make_unique<Subprocess>(
                std::vector<std::string>{"busctl", "--system", "--timeout=60", "call", busName,
                                         managerPath, managerInterface, "Load", "sa{ss}t", name,
                                         "0", "1"},
                SpawnOptions{.user = user}));
        }
        return loads;
    }

    static std::size_t descriptorsOf(pid_t pid) {
        const fs::path fds = "/proc/" + std::to_string(pid) + "/fd";
        return static_cast<std::size_t>(
            std::distance(fs::directory_iterator(fds), fs::directory_iterator{}));
    }
};

TEST_F(AnUnprivilegedFlood, OfLoadsWhilePolkitIsStalledHoldsNoModuleFileOpenAndRootIsServed) {
    const pid_t kmodd = pidOf(busName);
    const std::size_t before = descriptorsOf(kmodd);
    pausePolkit();

    auto loads = startLoads(accounts::nobody, "bridge", 48);
    std::size_t most = before;
    for (int i = 0; i < 30; ++i) {
        most = std::max(most, descriptorsOf(kmodd));
        std::this_thread::sleep_for(100ms);
    }
    const auto started = std::chrono::steady_clock::now();
    const Outcome root = kmodctl({"load", "veth"});
    const auto rootTook = std::chrono::steady_clock::now() - started;
    resumePolkit();

    // Each waiting load used to hold bridge's and stp's files open: 96 descriptors. The facts
    // readers hold two at most, for a moment each.
    EXPECT_LE(most, before + 6) << "kmodd had " << before << " descriptors open before";
    EXPECT_EQ(root.exitCode, exitCode::success) << root.describe();
    EXPECT_LT(rootTook, 5s);
    for (auto& load : loads) {
        EXPECT_NE(load->wait(40s).exitCode, 0);
    }
    EXPECT_FALSE(isLoaded("bridge"));
    EXPECT_FALSE(isLoaded("stp"));
}

using ALoadWaitingForPolkit = AnUnprivilegedFlood;

TEST_F(ALoadWaitingForPolkit, IsRefusedByADenyReloadedMeanwhile) {
    pausePolkit();
    auto loads = startLoads(accounts::trusted, "veth", 1);
    // The load reaches kmodd, passes the policy in force and waits for polkit.
    std::this_thread::sleep_for(1s);
    std::string config = defaultConfig();
    config.replace(config.find("deny: [floppy]"), 14, "deny: [floppy, veth]");
    writeConfig(config);
    const Outcome reload = kmodctl({"reload"});
    ASSERT_EQ(reload.exitCode, exitCode::success) << reload.describe();
    resumePolkit();

    const Outcome load = loads.front()->wait(40s);

    EXPECT_NE(load.exitCode, 0) << load.describe();
    EXPECT_THAT(load.err, HasSubstr("veth is denied by the kmodd policy")) << load.describe();
    EXPECT_FALSE(isLoaded("veth"));
}

// A module of 48 MiB that xz packs to half of that, as amdgpu is among real modules: each
// decompression takes a good part of a second. libkmod grows its decompression buffer a few
// KiB at a time, which AddressSanitizer's realloc copies each time: there, 4 MiB.
#if defined(__SANITIZE_ADDRESS__)
constexpr int paddingMebibytes = 4;
#else
constexpr int paddingMebibytes = 48;
#endif

fs::path addLargeCompressedModule(const ModuleTree& tree) {
    const fs::path directory = tree.moduleDirectory() / "kernel/drivers/test";
    const fs::path padding = directory / "padding.bin";
    {
        std::ofstream out(padding, std::ios::binary);
        std::uint64_t state = 88172645463325252ULL;
        std::string chunk(1 << 20, '\0');
        for (int mebibyte = 0; mebibyte < paddingMebibytes; ++mebibyte) {
            for (auto& c : chunk) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                c = "0123456789abcdef"[state & 15];
            }
            out << chunk;
        }
    }
    const fs::path module = directory / "bulky.ko";
    runCommand({"objcopy", "--add-section", ".kmodd_padding=" + padding.string(),
                tree.pathOf("veth").string(), module.string()});
    fs::remove(padding);
    runCommand({"xz", "-1", "--check=crc32", "-f", module.string()});
    runCommand({"depmod", "-b", tree.root().string(), ModuleTree::release});
    return fs::path(module.string() + ".xz");
}

TEST_F(AnUnprivilegedFlood, OfGetModuleOfALargeCompressedModuleDoesNotHoldUpRootsListModules) {
    addLargeCompressedModule(modules());
    std::vector<std::unique_ptr<Subprocess>> askers;
    for (int i = 0; i < 3; ++i) {
        askers.push_back(std::make_unique<Subprocess>(
            std::vector<std::string>{"sh", "-c",
                                     "while :; do " + busctlManagerCall() +
                                         "GetModule s bulky >/dev/null; done"},
            SpawnOptions{.user = accounts::nobody}));
    }
    std::this_thread::sleep_for(500ms);

    std::vector<std::chrono::steady_clock::duration> took;
    for (int i = 0; i < 20; ++i) {
        const auto started = std::chrono::steady_clock::now();
        loadedModules();
        took.push_back(std::chrono::steady_clock::now() - started);
        std::this_thread::sleep_for(50ms);
    }
    askers.clear();

    // Decompressing on the loop made every ListModules wait behind one or more GetModule: a
    // median of 3.6 s on a 2-core machine. The bound leaves room for a busy machine.
    std::sort(took.begin(), took.end());
    EXPECT_LT(took[took.size() / 2], 250ms);
    const Outcome status =
        busctl({"call", busName, managerPath, managerInterface, "GetModule", "s", "bulky"});
    EXPECT_EQ(status.exitCode, 0) << status.describe();
    EXPECT_THAT(status.out, HasSubstr("bulky.ko.xz"));
}

} // namespace
} // namespace kmodd::testing

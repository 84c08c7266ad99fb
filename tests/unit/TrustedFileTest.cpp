#include "TrustedFile.h"

#include "Error.h"
#include "ScratchDirectory.h"

#include <array>
#include <gtest/gtest.h>
#include <string>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace kmodd {
namespace {

namespace fs = std::filesystem;

constexpr uid_t nobody = 65534;

// A temporary <tmp>/lib/modules tree holding one good module, owned by root with modes that
// pass every rule; each test breaks one rule.
class ATrustedOpen : public ::testing::Test {
  protected:
    UniqueFd open(const fs::path& file) const { return openTrustedModule({root_}, file).fd; }

    // The error an open of file throws; fails the test if it opens.
    Error refusal(const fs::path& file, const std::vector<fs::path>& roots = {}) const {
        try {
            openTrustedModule(roots.empty() ? std::vector{root_} : roots, file);
        } catch (const Error& error) {
            return error;
        }
        ADD_FAILURE() << file << " was opened";
        return Error(ErrorKind::Failed, "");
    }

    void expectUntrusted(const fs::path& file, const std::string& reason,
                         const std::vector<fs::path>& roots = {}) const {
        const Error error = refusal(file, roots);
        EXPECT_EQ(error.kind(), ErrorKind::Untrusted) << error.what();
        EXPECT_EQ(std::string(error.what()), "refusing " + file.string() + ": " + reason);
    }

    const testing::ScratchDirectory tmp_{"trusted"};
    const fs::path module_ = tmp_.write("lib/modules/6.1/kernel/good.ko", "module contents");
    const fs::path kernelDirectory_ = module_.parent_path();
    const fs::path root_ = tmp_ / "lib/modules";
};

std::string contentsOf(const UniqueFd& fd) {
    std::array<char, 64> buffer{};
    const ssize_t count = ::read(fd.get(), buffer.data(), buffer.size());
    return count < 0 ? "" : std::string(buffer.data(), static_cast<std::size_t>(count));
}

TEST_F(ATrustedOpen, OpensAGoodFileForReadingItsContents) {
    const UniqueFd fd = open(module_);

    EXPECT_EQ(contentsOf(fd), "module contents");
}

TEST_F(ATrustedOpen, RefusesASymlinkToAGoodFile) {
    fs::create_symlink(module_, kernelDirectory_ / "link.ko");

    expectUntrusted(kernelDirectory_ / "link.ko",
                    "the file is a symbolic link, not a regular file");
}

TEST_F(ATrustedOpen, RefusesASymlinkInTheMiddleOfThePath) {
    fs::create_directory_symlink(kernelDirectory_, root_ / "6.1/linked");

    expectUntrusted(root_ / "6.1/linked/good.ko",
                    (root_ / "6.1/linked").string() + " is a symbolic link, not a directory");
}

TEST_F(ATrustedOpen, RefusesADirectorySwappedForASymlinkAfterItWasCreated) {
    const auto elsewhere = tmp_ / "elsewhere";
    fs::rename(kernelDirectory_, elsewhere);
    fs::create_directory_symlink(elsewhere, kernelDirectory_);

    expectUntrusted(module_, kernelDirectory_.string() + " is a symbolic link, not a directory");
}

TEST_F(ATrustedOpen, RefusesAWorldWritableFile) {
    fs::permissions(module_, fs::perms(0646));

    expectUntrusted(module_, "the file is writable by group or others (mode 0646)");
}

TEST_F(ATrustedOpen, RefusesAGroupWritableDirectory) {
    fs::permissions(kernelDirectory_, fs::perms(0775));

    expectUntrusted(module_, "directory " + kernelDirectory_.string() +
                                 " is writable by group or others (mode 0775)");
}

TEST_F(ATrustedOpen, RefusesATrustedRootWritableByOthers) {
    fs::permissions(root_, fs::perms(01777));

    expectUntrusted(module_, "trusted path " + root_.string() +
                                 " is writable by group or others (mode 1777)");
}

TEST_F(ATrustedOpen, RefusesAFileOwnedByAnotherUser) {
    ASSERT_EQ(::chown(module_.c_str(), nobody, 0), 0);

    expectUntrusted(module_, "the file is owned by uid 65534, not root");
}

TEST_F(ATrustedOpen, RefusesADirectoryOwnedByAnotherUser) {
    ASSERT_EQ(::chown(kernelDirectory_.c_str(), nobody, 0), 0);

    expectUntrusted(module_,
                    "directory " + kernelDirectory_.string() + " is owned by uid 65534, not root");
}

TEST_F(ATrustedOpen, RefusesAPathOutsideEveryTrustedRoot) {
    const auto outside = tmp_.write("outside.ko", "module contents");

    expectUntrusted(outside,
                    "it is not beneath a trusted path (" + root_.string() + ", " +
                        (tmp_ / "usr/lib/modules").string() + ")",
                    {root_, tmp_ / "usr/lib/modules"});
}

TEST_F(ATrustedOpen, RefusesADotDotEscapeFromTheRoot) {
    tmp_.write("outside.ko", "module contents");

    expectUntrusted(root_ / "../../outside.ko", "the path contains '..'");
}

TEST_F(ATrustedOpen, RefusesARelativePath) {
    expectUntrusted("lib/modules/6.1/kernel/good.ko", "the path is not absolute");
}

TEST_F(ATrustedOpen, RefusesADirectoryThatOnlySharesTheRootsNameAsAPrefix) {
    const auto evil = tmp_.createDirectories("lib/modules-evil");
    tmp_.write("lib/modules-evil/good.ko", "module contents");

    expectUntrusted(evil / "good.ko", "it is not beneath a trusted path (" + root_.string() + ")");
}

TEST_F(ATrustedOpen, RefusesAFifoWithoutWaitingForAWriter) {
    const auto fifo = kernelDirectory_ / "fifo.ko";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);

    expectUntrusted(fifo, "the file is a FIFO, not a regular file");
}

TEST_F(ATrustedOpen, RefusesADeviceNode) {
    const auto device = kernelDirectory_ / "null.ko";
    if (::mknod(device.c_str(), S_IFCHR | 0644, makedev(1, 3)) != 0) {
        GTEST_SKIP() << "cannot create device nodes here";
    }

    expectUntrusted(device, "the file is a character device, not a regular file");
}

TEST_F(ATrustedOpen, RefusesADirectoryInPlaceOfTheFile) {
    expectUntrusted(kernelDirectory_, "the file is a directory, not a regular file");
}

TEST_F(ATrustedOpen, RefusesAFileBeneathAnotherFile) {
    expectUntrusted(module_ / "inner.ko", module_.string() + " is a regular file, not a directory");
}

TEST_F(ATrustedOpen, ReportsAMissingFileAsNotFound) {
    const Error error = refusal(kernelDirectory_ / "missing.ko");

    EXPECT_EQ(error.kind(), ErrorKind::NotFound);
    EXPECT_EQ(std::string(error.what()),
              "module file " + (kernelDirectory_ / "missing.ko").string() + " does not exist");
}

TEST_F(ATrustedOpen, AcceptsATrustedRootReachedThroughASymlink) {
    // As with Debian's merged /usr, where /lib is a symlink to usr/lib.
    tmp_.createDirectories("usr");
    fs::rename(tmp_ / "lib", tmp_ / "usr/lib");
    fs::create_directory_symlink("usr/lib", tmp_ / "lib");

    const UniqueFd fd = open(module_);

    EXPECT_EQ(contentsOf(fd), "module contents");
}

TEST_F(ATrustedOpen, AcceptsATrustedRootWrittenWithATrailingSlash) {
    const UniqueFd fd = openTrustedModule({root_.string() + "/"}, module_).fd;

    EXPECT_EQ(contentsOf(fd), "module contents");
}

TEST_F(ATrustedOpen, UsesWhicheverTrustedRootHoldsTheFile) {
    const UniqueFd fd = openTrustedModule({tmp_ / "usr/lib/modules", root_}, module_).fd;

    EXPECT_EQ(contentsOf(fd), "module contents");
}

TEST_F(ATrustedOpen, ChecksEveryDirectoryBelowTheRootNotJustTheLast) {
    fs::permissions(root_ / "6.1", fs::perms(0757));

    expectUntrusted(module_, "directory " + (root_ / "6.1").string() +
                                 " is writable by group or others (mode 0757)");
}

} // namespace
} // namespace kmodd

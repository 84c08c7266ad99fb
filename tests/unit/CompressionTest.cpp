#include "Compression.h"

#include "Error.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <string>

namespace kmodd {
namespace {

namespace fs = std::filesystem;

std::vector<std::byte> bytesOf(std::string_view text) {
    const auto* begin = reinterpret_cast<const std::byte*>(text.data());
    return {begin, begin + text.size()};
}

// Something like a module: repetitive enough to compress, varied enough not to be trivial.
std::vector<std::byte> sampleModule() {
    std::string text = "\x7f"
                       "ELF";
    unsigned state = 12345;
    for (int i = 0; i < 20000; ++i) {
        state = state * 1103515245 + 12345;
        text += "symbol_" + std::to_string(state % 977) + "=" + std::to_string(i) + ";";
    }
    return bytesOf(text);
}

// Compresses data with a real command-line tool, so the tests check the formats as they are
// found on disk rather than what this code's own encoder would write.
class ACompressedModule : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string pattern = "/tmp/kmodd-compression-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        tmp_ = pattern;
    }

    void TearDown() override { fs::remove_all(tmp_); }

    // command reads stdin and writes stdout, e.g. "xz --check=crc32".
    std::vector<std::byte> compressWith(const std::string& command,
                                        const std::vector<std::byte>& data) const {
        const auto input = tmp_ / "input";
        const auto output = tmp_ / "output";
        std::ofstream(input, std::ios::binary)
            .write(reinterpret_cast<const char*>(data.data()),
                   static_cast<std::streamsize>(data.size()));
        const auto shell = command + " < " + input.string() + " > " + output.string();
        if (std::system(shell.c_str()) != 0) {
            ADD_FAILURE() << "failed: " << shell;
        }
        std::ifstream file(output, std::ios::binary);
        const std::string compressed{std::istreambuf_iterator<char>(file), {}};
        return bytesOf(compressed);
    }

    std::vector<std::byte> zeros(std::size_t size, const std::string& command) const {
        const auto output = tmp_ / "zeros";
        const auto shell =
            "head -c " + std::to_string(size) + " /dev/zero | " + command + " > " + output.string();
        if (std::system(shell.c_str()) != 0) {
            ADD_FAILURE() << "failed: " << shell;
        }
        std::ifstream file(output, std::ios::binary);
        const std::string compressed{std::istreambuf_iterator<char>(file), {}};
        return bytesOf(compressed);
    }

    fs::path tmp_;
};

struct Tool {
    Compression compression;
    std::string command;
};

void PrintTo(const Tool& tool, std::ostream* out) {
    *out << tool.command;
}

class EachCompressedModule : public ACompressedModule, public ::testing::WithParamInterface<Tool> {
  protected:
    Compression compression() const { return GetParam().compression; }
    std::vector<std::byte> compressed(const std::vector<std::byte>& data) const {
        return compressWith(GetParam().command, data);
    }

    // The error decompressing data throws; fails the test if it decompresses.
    Error failure(std::span<const std::byte> data, std::size_t limit = maxModuleSize) const {
        try {
            decompress(compression(), data, limit);
        } catch (const Error& error) {
            return error;
        }
        ADD_FAILURE() << "decompressed";
        return Error(ErrorKind::Failed, "");
    }

    void expectInvalidData(std::span<const std::byte> data) const {
        const Error error = failure(data);
        EXPECT_EQ(error.kind(), ErrorKind::KernelRejected);
        EXPECT_TRUE(std::string(error.what())
                        .starts_with("the module file is not valid " +
                                     std::string(compressionName(compression())) + " data: "))
            << error.what();
    }
};

INSTANTIATE_TEST_SUITE_P(WithTheCommandLineTools, EachCompressedModule,
                         ::testing::Values(Tool{Compression::Gzip, "gzip -c"},
                                           Tool{Compression::Xz, "xz --check=crc32 -c"},
                                           Tool{Compression::Zstd, "zstd -q -c"}));

TEST_P(EachCompressedModule, IsRecognisedByItsMagicBytes) {
    EXPECT_EQ(detectCompression(compressed(sampleModule())), compression());
}

TEST_P(EachCompressedModule, DecompressesToTheOriginalBytes) {
    const auto original = sampleModule();

    EXPECT_EQ(decompress(compression(), compressed(original)), original);
}

TEST_P(EachCompressedModule, DecompressesAnEmptyFile) {
    EXPECT_TRUE(decompress(compression(), compressed({})).empty());
}

TEST_P(EachCompressedModule, DecompressesStreamsWrittenOneAfterAnother) {
    const auto first = bytesOf("first part ");
    const auto second = bytesOf("second part");
    auto data = compressed(first);
    const auto more = compressed(second);
    data.insert(data.end(), more.begin(), more.end());

    EXPECT_EQ(decompress(compression(), data), bytesOf("first part second part"));
}

TEST_P(EachCompressedModule, RefusesCorruptData) {
    auto data = compressed(sampleModule());
    for (std::size_t i = data.size() / 3; i < data.size() / 3 + 64; ++i) {
        data[i] ^= std::byte{0x5a};
    }

    expectInvalidData(data);
}

TEST_P(EachCompressedModule, RefusesDataCutInHalf) {
    const auto data = compressed(sampleModule());

    expectInvalidData(std::span(data).first(data.size() / 2));
}

TEST_P(EachCompressedModule, RefusesDataMissingItsLastByte) {
    const auto data = compressed(sampleModule());

    expectInvalidData(std::span(data).first(data.size() - 1));
}

TEST_P(EachCompressedModule, RefusesDataCutWithinItsHeader) {
    const auto data = compressed(sampleModule());

    expectInvalidData(std::span(data).first(6));
}

TEST_P(EachCompressedModule, RefusesNoDataAtAll) {
    expectInvalidData({});
}

TEST_P(EachCompressedModule, RefusesGarbageAfterTheEnd) {
    auto data = compressed(sampleModule());
    const auto garbage = bytesOf("garbage after the end");
    data.insert(data.end(), garbage.begin(), garbage.end());

    expectInvalidData(data);
}

TEST_P(EachCompressedModule, AcceptsOutputOfExactlyTheLimit) {
    const auto original = sampleModule();

    EXPECT_EQ(decompress(compression(), compressed(original), original.size()), original);
}

TEST_P(EachCompressedModule, RefusesOutputOneByteOverTheLimit) {
    const auto original = sampleModule();

    const Error error = failure(compressed(original), original.size() - 1);

    EXPECT_EQ(error.kind(), ErrorKind::KernelRejected);
    EXPECT_EQ(std::string(error.what()), "the module file decompresses to more than " +
                                             std::to_string(original.size() - 1) + " bytes");
}

TEST_P(EachCompressedModule, RefusesADecompressionBombWithoutInflatingIt) {
    const auto bomb = zeros(std::size_t{64} << 20, GetParam().command);

    const Error error = failure(bomb, std::size_t{1} << 20);

    EXPECT_EQ(error.kind(), ErrorKind::KernelRejected);
    EXPECT_EQ(std::string(error.what()), "the module file decompresses to more than 1048576 bytes");
}

TEST(ACompressionMagic, IsNoneForAnUncompressedModule) {
    EXPECT_EQ(detectCompression(bytesOf("\x7f"
                                        "ELF\x02\x01\x01")),
              Compression::None);
}

TEST(ACompressionMagic, IsNoneForTooFewBytesToTell) {
    EXPECT_EQ(detectCompression({}), Compression::None);
    EXPECT_EQ(detectCompression(bytesOf("\x1f")), Compression::None);
    EXPECT_EQ(detectCompression(bytesOf("\xfd"
                                        "7zXZ")),
              Compression::None);
    EXPECT_EQ(detectCompression(bytesOf("\x28\xb5\x2f")), Compression::None);
}

TEST(ACompressionName, IsTheNameTheKernelUses) {
    EXPECT_EQ(compressionName(Compression::Gzip), "gzip");
    EXPECT_EQ(compressionName(Compression::Xz), "xz");
    EXPECT_EQ(compressionName(Compression::Zstd), "zstd");
    EXPECT_EQ(compressionName(Compression::None), "");
}

TEST(AnUncompressedModule, IsReturnedAsItIs) {
    const auto data = sampleModule();

    EXPECT_EQ(decompress(Compression::None, data), data);
}

TEST(AnUncompressedModule, IsRefusedWhenLargerThanTheLimit) {
    try {
        decompress(Compression::None, sampleModule(), 1000);
        FAIL() << "accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::KernelRejected);
        EXPECT_EQ(std::string(error.what()), "the module file is larger than 1000 bytes");
    }
}

} // namespace
} // namespace kmodd

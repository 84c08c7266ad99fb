#include "Compression.h"

#include "Error.h"
#include "ScratchDirectory.h"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>

namespace kmodd {
namespace {

std::vector<std::byte> bytesOf(std::string_view text) {
    const auto* begin = reinterpret_cast<const std::byte*>(text.data());
    return {begin, begin + text.size()};
}

// Something like a module: repetitive enough to compress, varied enough not to be trivial.
const std::vector<std::byte>& sampleModule() {
    static const auto sample = [] {
        std::string text = "\x7f"
                           "ELF";
        unsigned state = 12345;
        for (int i = 0; i < 20000; ++i) {
            state = state * 1103515245 + 12345;
            text += "symbol_";
            text += std::to_string(state % 977);
            text += '=';
            text += std::to_string(i);
            text += ';';
        }
        return bytesOf(text);
    }();
    return sample;
}

// Compresses data with a real command-line tool, so the tests check the formats as they are
// found on disk rather than what this code's own encoder would write. command reads stdin and
// writes stdout, e.g. "xz --check=crc32 -c".
std::vector<std::byte> runCompressor(const std::string& command,
                                     const std::vector<std::byte>& data) {
    const testing::ScratchDirectory tmp("compression");
    const auto input =
        tmp.write("input", {reinterpret_cast<const char*>(data.data()), data.size()});
    const auto output = tmp / "output";
    const auto shell = command + " < " + input.string() + " > " + output.string();
    if (std::system(shell.c_str()) != 0) {
        throw std::runtime_error("failed: " + shell);
    }
    std::ifstream file(output, std::ios::binary);
    const std::string compressed{std::istreambuf_iterator<char>(file), {}};
    return bytesOf(compressed);
}

// runCompressor, run once per command and data in a test run: most tests compress the sample.
const std::vector<std::byte>& compressedOnce(const std::string& command,
                                             const std::vector<std::byte>& data) {
    static std::map<std::pair<std::string, std::vector<std::byte>>, std::vector<std::byte>> cache;
    auto key = std::pair(command, data);
    auto found = cache.find(key);
    if (found == cache.end()) {
        found = cache.emplace(std::move(key), runCompressor(command, data)).first;
    }
    return found->second;
}

struct Tool {
    Compression compression;
    std::string command;
};

void PrintTo(const Tool& tool, std::ostream* out) {
    *out << tool.command;
}

class EachCompressedModule : public ::testing::TestWithParam<Tool> {
  protected:
    Compression compression() const { return GetParam().compression; }
    const std::vector<std::byte>& compressed(const std::vector<std::byte>& data) const {
        return compressedOnce(GetParam().command, data);
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
                                           Tool{Compression::Xz, "xz -0 --check=crc32 -c"},
                                           // Checks Linux's xz decoder refuses: kmodd
                                           // decompresses these for init_module.
                                           Tool{Compression::Xz, "xz -0 --check=crc64 -c"},
                                           Tool{Compression::Xz, "xz -0 --check=sha256 -c"},
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
    // 16 MiB of zeros: at most 16 KiB compressed, 16 times the limit inflated.
    const auto bomb =
        runCompressor(GetParam().command, std::vector<std::byte>(std::size_t{16} << 20));

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

TEST(AnXzStreamHeader, DeclaresTheCheckXzWrote) {
    for (const auto& [option, check] :
         {std::pair{"none", XzCheck::None}, std::pair{"crc32", XzCheck::Crc32},
          std::pair{"crc64", XzCheck::Crc64}, std::pair{"sha256", XzCheck::Sha256}}) {
        const std::string command = std::string("xz -0 -c --check=") + option;
        EXPECT_EQ(xzCheck(compressedOnce(command, sampleModule())), check) << command;
    }
}

TEST(AnXzStreamHeader, DeclaresNoCheckWhenItsFlagsAreMalformedOrMissing) {
    const std::string magic("\xfd"
                            "7zXZ\0",
                            6);
    EXPECT_EQ(xzCheck(bytesOf(magic + std::string("\0\x01", 2))), XzCheck::Crc32);
    EXPECT_EQ(xzCheck(bytesOf(magic + std::string("\x01\x01", 2))), std::nullopt);
    EXPECT_EQ(xzCheck(bytesOf(magic + std::string("\0\x11", 2))), std::nullopt);
    EXPECT_EQ(xzCheck(bytesOf(magic + std::string("\0", 1))), std::nullopt);
    EXPECT_EQ(xzCheck(bytesOf(std::string("\x28\xb5\x2f\xfd\0\x01", 6))), std::nullopt);
}

TEST(AnXzCheckName, NamesAReservedIdByItsNumber) {
    EXPECT_EQ(xzCheckName(XzCheck::Sha256), "SHA-256");
    EXPECT_EQ(xzCheckName(XzCheck{0x02}), "ID 2");
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

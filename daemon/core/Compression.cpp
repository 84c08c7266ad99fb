// zlib's next_in is const only with this, and it must come before zlib.h.
#define ZLIB_CONST

#include "Compression.h"

#include "Error.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <lzma.h>
#include <memory>
#include <string>
#include <zlib.h>
#include <zstd.h>

namespace kmodd {
namespace {

constexpr std::array<unsigned char, 2> gzipMagic{0x1f, 0x8b};
constexpr std::array<unsigned char, 6> xzMagic{0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00};
constexpr std::array<unsigned char, 4> zstdMagic{0x28, 0xb5, 0x2f, 0xfd};

// xz -9 needs 65 MiB to decompress; kernel modules are compressed with far smaller dictionaries.
constexpr std::uint64_t xzMemoryLimit = std::uint64_t{128} << 20;
constexpr std::size_t firstChunk = std::size_t{64} << 10;
constexpr std::size_t typicalRatio = 4; // a first guess at the output size, then doubled

template <std::size_t N>
bool startsWith(std::span<const std::byte> data, const std::array<unsigned char, N>& magic) {
    return data.size() >= N &&
           std::equal(magic.begin(), magic.end(), data.begin(),
                      [](unsigned char m, std::byte d) { return std::byte{m} == d; });
}

[[noreturn]] void refuseData(Compression compression, const std::string& reason) {
    throw Error(ErrorKind::KernelRejected, "the module file is not valid " +
                                               std::string(compressionName(compression)) +
                                               " data: " + reason);
}

// The decompressed bytes, grown in steps and never beyond limit + 1 bytes: one byte more
// than the limit is how an oversized output is noticed.
class Output {
  public:
    Output(std::size_t limit, std::size_t inputSize) : limit_(limit) {
        buffer_.resize(std::min(std::max(inputSize * typicalRatio, firstChunk), cap()));
    }

    // Free space for the decoder to write into; never empty.
    std::span<std::byte> space() {
        if (produced_ == buffer_.size()) {
            buffer_.resize(std::min(buffer_.size() * 2, cap()));
        }
        return std::span(buffer_).subspan(produced_);
    }

    void commit(std::size_t written) {
        produced_ += written;
        if (produced_ > limit_) {
            throw Error(ErrorKind::KernelRejected, "the module file decompresses to more than " +
                                                       std::to_string(limit_) + " bytes");
        }
    }

    std::vector<std::byte> take() && {
        buffer_.resize(produced_);
        return std::move(buffer_);
    }

  private:
    std::size_t cap() const { return limit_ == SIZE_MAX ? limit_ : limit_ + 1; }

    std::size_t limit_;
    std::size_t produced_ = 0;
    std::vector<std::byte> buffer_;
};

unsigned char* bytes(std::byte* data) {
    return reinterpret_cast<unsigned char*>(data);
}

const unsigned char* bytes(const std::byte* data) {
    return reinterpret_cast<const unsigned char*>(data);
}

std::vector<std::byte> inflateGzip(std::span<const std::byte> data, std::size_t limit) {
    z_stream stream{};
    if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
        throw Error(ErrorKind::Failed, "cannot start gzip decompression: out of memory");
    }
    const std::unique_ptr<z_stream, decltype(&inflateEnd)> end(&stream, inflateEnd);

    Output output(limit, data.size());
    std::span<const std::byte> unread = data;
    for (;;) {
        // zlib counts in uInt, so both sides are handed over in pieces it can count.
        if (stream.avail_in == 0) {
            const auto piece = unread.first(std::min<std::size_t>(unread.size(), UINT_MAX));
            stream.next_in = bytes(piece.data());
            stream.avail_in = static_cast<uInt>(piece.size());
            unread = unread.subspan(piece.size());
        }
        const auto space = output.space();
        const auto offered = std::min<std::size_t>(space.size(), UINT_MAX);
        stream.next_out = bytes(space.data());
        stream.avail_out = static_cast<uInt>(offered);
        const int result = inflate(&stream, Z_NO_FLUSH);
        output.commit(offered - stream.avail_out);

        const bool inputLeft = stream.avail_in > 0 || !unread.empty();
        if (result == Z_STREAM_END) {
            if (!inputLeft) {
                return std::move(output).take();
            }
            inflateReset(&stream); // another member follows, as `gzip -d` accepts
        } else if (result == Z_BUF_ERROR && !inputLeft) {
            refuseData(Compression::Gzip, "unexpected end of data");
        } else if (result == Z_MEM_ERROR) {
            throw Error(ErrorKind::Failed, "out of memory decompressing gzip data");
        } else if (result != Z_OK) {
            refuseData(Compression::Gzip, stream.msg != nullptr ? stream.msg : zError(result));
        }
    }
}

std::string lzmaReason(lzma_ret result) {
    switch (result) {
    case LZMA_FORMAT_ERROR:
        return "not in the xz format";
    case LZMA_OPTIONS_ERROR:
        return "unsupported compression options";
    case LZMA_BUF_ERROR:
        return "unexpected end of data";
    case LZMA_MEMLIMIT_ERROR:
        return "it needs more than " + std::to_string(xzMemoryLimit >> 20) +
               " MiB of memory to decompress";
    default:
        return "corrupt data";
    }
}

std::vector<std::byte> decompressXz(std::span<const std::byte> data, std::size_t limit) {
    lzma_stream stream = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&stream, xzMemoryLimit, LZMA_CONCATENATED) != LZMA_OK) {
        throw Error(ErrorKind::Failed, "cannot start xz decompression: out of memory");
    }
    const std::unique_ptr<lzma_stream, decltype(&lzma_end)> end(&stream, lzma_end);

    Output output(limit, data.size());
    stream.next_in = bytes(data.data());
    stream.avail_in = data.size();
    for (;;) {
        const auto space = output.space();
        stream.next_out = bytes(space.data());
        stream.avail_out = space.size();
        // All input is present from the start, so every call may finish the stream.
        const lzma_ret result = lzma_code(&stream, LZMA_FINISH);
        output.commit(space.size() - stream.avail_out);
        if (result == LZMA_STREAM_END) {
            return std::move(output).take();
        }
        if (result == LZMA_MEM_ERROR) {
            throw Error(ErrorKind::Failed, "out of memory decompressing xz data");
        }
        if (result != LZMA_OK) {
            refuseData(Compression::Xz, lzmaReason(result));
        }
    }
}

std::vector<std::byte> decompressZstd(std::span<const std::byte> data, std::size_t limit) {
    const std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(),
                                                                       ZSTD_freeDCtx);
    if (!context) {
        throw Error(ErrorKind::Failed, "cannot start zstd decompression: out of memory");
    }

    Output output(limit, data.size());
    ZSTD_inBuffer input{data.data(), data.size(), 0};
    for (;;) {
        const auto space = output.space();
        ZSTD_outBuffer out{space.data(), space.size(), 0};
        const std::size_t result = ZSTD_decompressStream(context.get(), &out, &input);
        output.commit(out.pos);
        if (ZSTD_isError(result)) {
            refuseData(Compression::Zstd, ZSTD_getErrorName(result));
        }
        const bool inputLeft = input.pos < input.size;
        if (result == 0 && !inputLeft) {
            return std::move(output).take();
        }
        // Space left over means the decoder flushed all it could and wants more input.
        if (!inputLeft && out.pos < out.size) {
            refuseData(Compression::Zstd, "unexpected end of data");
        }
    }
}

} // namespace

Compression detectCompression(std::span<const std::byte> data) {
    if (startsWith(data, gzipMagic)) {
        return Compression::Gzip;
    }
    if (startsWith(data, xzMagic)) {
        return Compression::Xz;
    }
    if (startsWith(data, zstdMagic)) {
        return Compression::Zstd;
    }
    return Compression::None;
}

std::optional<XzCheck> xzCheck(std::span<const std::byte> data) {
    // The Stream Flags: a zero byte, then the check ID in the low four bits of the next.
    constexpr std::size_t flags = xzMagic.size();
    if (!startsWith(data, xzMagic) || data.size() < flags + 2 || data[flags] != std::byte{0} ||
        (data[flags + 1] & std::byte{0xf0}) != std::byte{0}) {
        return std::nullopt;
    }
    return static_cast<XzCheck>(data[flags + 1]);
}

std::string xzCheckName(XzCheck check) {
    switch (check) {
    case XzCheck::None:
        return "none";
    case XzCheck::Crc32:
        return "CRC32";
    case XzCheck::Crc64:
        return "CRC64";
    case XzCheck::Sha256:
        return "SHA-256";
    }
    return "ID " + std::to_string(static_cast<unsigned>(check));
}

std::string_view compressionName(Compression compression) {
    switch (compression) {
    case Compression::Gzip:
        return "gzip";
    case Compression::Xz:
        return "xz";
    case Compression::Zstd:
        return "zstd";
    case Compression::None:
        break;
    }
    return "";
}

std::vector<std::byte> decompress(Compression compression, std::span<const std::byte> data,
                                  std::size_t limit) {
    switch (compression) {
    case Compression::Gzip:
        return inflateGzip(data, limit);
    case Compression::Xz:
        return decompressXz(data, limit);
    case Compression::Zstd:
        return decompressZstd(data, limit);
    case Compression::None:
        break;
    }
    if (data.size() > limit) {
        throw Error(ErrorKind::KernelRejected,
                    "the module file is larger than " + std::to_string(limit) + " bytes");
    }
    return {data.begin(), data.end()};
}

} // namespace kmodd

#include "ModInfo.h"

#include "Error.h"
#include "ModuleName.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <elf.h>
#include <unistd.h>

namespace kmodd {
namespace {

constexpr unsigned char hostByteOrder =
    std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB;

[[noreturn]] void reject(std::string_view reason) {
    throw Error(ErrorKind::KernelRejected,
                "the file is not a valid kernel module: " + std::string(reason));
}

// The image's bytes, wherever they are. at() is only asked for ranges within size().
class Image {
  public:
    virtual ~Image() = default;
    virtual std::uint64_t size() const = 0;
    virtual std::span<const std::byte> at(std::uint64_t offset, std::uint64_t length) = 0;

    bool fits(std::uint64_t offset, std::uint64_t length) const {
        return offset <= size() && length <= size() - offset;
    }

    // Copies a header out of the image: ELF offsets need not be aligned for T.
    template <typename T> T read(std::uint64_t offset) {
        T value;
        std::memcpy(&value, at(offset, sizeof(T)).data(), sizeof(T));
        return value;
    }
};

class ImageInMemory final : public Image {
  public:
    explicit ImageInMemory(std::span<const std::byte> bytes) : bytes_(bytes) {}
    std::uint64_t size() const override { return bytes_.size(); }
    std::span<const std::byte> at(std::uint64_t offset, std::uint64_t length) override {
        return bytes_.subspan(offset, length);
    }

  private:
    std::span<const std::byte> bytes_;
};

class ImageInFile final : public Image {
  public:
    // The ELF identification and the header are both in the first bytes: one read for the two.
    ImageInFile(int fd, std::uint64_t size)
        : fd_(fd), size_(size),
          start_(readAt(0, std::min<std::uint64_t>(size, sizeof(Elf64_Ehdr)))) {}
    std::uint64_t size() const override { return size_; }
    std::span<const std::byte> at(std::uint64_t offset, std::uint64_t length) override {
        if (offset + length <= start_.size()) {
            return std::span<const std::byte>(start_).subspan(offset, length);
        }
        return parts_.emplace_back(readAt(offset, length));
    }

  private:
    std::vector<std::byte> readAt(std::uint64_t offset, std::uint64_t length) const {
        std::vector<std::byte> part(length);
        for (std::uint64_t done = 0; done < length;) {
            const ssize_t n =
                ::pread(fd_, part.data() + done, length - done, static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                throw Error(ErrorKind::Failed,
                            std::string("reading it failed: ") + std::strerror(errno));
            }
            if (n == 0) {
                reject("the file is shorter than it was a moment ago");
            }
            done += static_cast<std::uint64_t>(n);
        }
        return part;
    }

    int fd_;
    std::uint64_t size_;
    std::vector<std::byte> start_;
    std::deque<std::vector<std::byte>> parts_; ///< what at() returned, alive as long as this
};

struct Elf32 {
    using Header = Elf32_Ehdr;
    using Section = Elf32_Shdr;
};

struct Elf64 {
    using Header = Elf64_Ehdr;
    using Section = Elf64_Shdr;
};

template <typename Section>
std::span<const std::byte> contentsOf(Image& image, const Section& section, std::string_view what) {
    if (section.sh_type == SHT_NOBITS) {
        reject("the " + std::string(what) + " has no contents");
    }
    if (!image.fits(section.sh_offset, section.sh_size)) {
        reject("the " + std::string(what) + " lies outside the file");
    }
    return image.at(section.sh_offset, section.sh_size);
}

template <typename Elf> std::span<const std::byte> findModinfo(Image& image) {
    using Section = typename Elf::Section;
    if (image.size() < sizeof(typename Elf::Header)) {
        reject("the ELF header is truncated");
    }
    const auto header = image.read<typename Elf::Header>(0);
    if (header.e_type != ET_REL) {
        reject("it is not a relocatable object");
    }
    if (header.e_shentsize != sizeof(Section)) {
        reject("its section headers are " + std::to_string(header.e_shentsize) + " bytes, not " +
               std::to_string(sizeof(Section)));
    }
    if (header.e_shnum == 0) {
        reject("it has no section headers");
    }
    if (!image.fits(header.e_shoff, std::uint64_t{header.e_shnum} * sizeof(Section))) {
        reject("the section header table lies outside the file");
    }
    if (header.e_shstrndx >= header.e_shnum) {
        reject("the section name table index is out of range");
    }
    const auto table = image.at(header.e_shoff, std::uint64_t{header.e_shnum} * sizeof(Section));
    const auto section = [&](std::size_t index) {
        Section value;
        std::memcpy(&value, table.data() + index * sizeof(Section), sizeof(Section));
        return value;
    };

    const auto names = contentsOf(image, section(header.e_shstrndx), "section name table");
    if (names.empty() || names.back() != std::byte{0}) {
        reject("the section name table is not NUL-terminated");
    }
    const std::string_view nameTable(reinterpret_cast<const char*>(names.data()), names.size());
    for (std::size_t index = 0; index < header.e_shnum; ++index) {
        const auto candidate = section(index);
        if (candidate.sh_name >= nameTable.size()) {
            reject("a section name lies outside the section name table");
        }
        if (nameTable.substr(candidate.sh_name).starts_with(std::string_view(".modinfo\0", 9))) {
            return contentsOf(image, candidate, ".modinfo section");
        }
    }
    reject("it has no .modinfo section");
}

using Entries = std::vector<std::pair<std::string, std::string>>;

Entries entriesOf(Image& image) {
    if (image.size() < EI_NIDENT) {
        reject("it is not an ELF file");
    }
    const auto ident = image.at(0, EI_NIDENT);
    if (std::memcmp(ident.data(), ELFMAG, SELFMAG) != 0) {
        reject("it is not an ELF file");
    }
    const auto identity = [&](std::size_t index) {
        return std::to_integer<int>(ident[index]);
    };
    if (identity(EI_DATA) != hostByteOrder) {
        reject("it is not in the host's byte order");
    }
    if (identity(EI_VERSION) != EV_CURRENT) {
        reject("its ELF version is " + std::to_string(identity(EI_VERSION)));
    }
    std::span<const std::byte> modinfo;
    switch (identity(EI_CLASS)) {
    case ELFCLASS32:
        modinfo = findModinfo<Elf32>(image);
        break;
    case ELFCLASS64:
        modinfo = findModinfo<Elf64>(image);
        break;
    default:
        reject("its ELF class is " + std::to_string(identity(EI_CLASS)));
    }

    Entries entries;
    std::string_view text(reinterpret_cast<const char*>(modinfo.data()), modinfo.size());
    while (!text.empty()) {
        const auto end = std::min(text.find('\0'), text.size());
        const auto entry = text.substr(0, end);
        text.remove_prefix(std::min(end + 1, text.size()));
        const auto equals = entry.find('=');
        if (equals != std::string_view::npos) {
            entries.emplace_back(entry.substr(0, equals), entry.substr(equals + 1));
        }
    }
    return entries;
}

} // namespace

ModInfo ModInfo::read(std::span<const std::byte> image) {
    ImageInMemory inMemory(image);
    ModInfo info;
    info.entries_ = entriesOf(inMemory);
    return info;
}

ModInfo ModInfo::readFile(int fd, std::uint64_t size) {
    ImageInFile inFile(fd, size);
    ModInfo info;
    info.entries_ = entriesOf(inFile);
    return info;
}

std::vector<std::string> ModInfo::values(std::string_view key) const {
    std::vector<std::string> found;
    for (const auto& [entryKey, value] : entries_) {
        if (entryKey == key) {
            found.push_back(value);
        }
    }
    return found;
}

std::set<std::string> ModInfo::declaredParameters() const {
    std::set<std::string> names;
    for (const auto& [key, value] : entries_) {
        if (key != "parm" && key != "parmtype") {
            continue;
        }
        auto name = withUnderscores(value.substr(0, value.find(':')));
        if (!name.empty()) {
            names.insert(std::move(name));
        }
    }
    return names;
}

std::map<std::string, std::string> ModInfo::declaredParameterTypes() const {
    std::map<std::string, std::string> types;
    for (const auto& [key, value] : entries_) {
        const auto colon = value.find(':');
        if (key != "parmtype" || colon == std::string::npos || colon == 0) {
            continue;
        }
        types.emplace(withUnderscores(value.substr(0, colon)), value.substr(colon + 1));
    }
    return types;
}

} // namespace kmodd

#include "ModInfo.h"

#include "Error.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <elf.h>

namespace kmodd {
namespace {

constexpr unsigned char hostByteOrder =
    std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB;

[[noreturn]] void reject(std::string_view reason) {
    throw Error(ErrorKind::KernelRejected,
                "the file is not a valid kernel module: " + std::string(reason));
}

bool fits(std::span<const std::byte> image, std::uint64_t offset, std::uint64_t size) {
    return offset <= image.size() && size <= image.size() - offset;
}

// Copies a header out of the image: ELF offsets need not be aligned for T.
template <typename T> T readAt(std::span<const std::byte> image, std::uint64_t offset) {
    T value;
    std::memcpy(&value, image.data() + offset, sizeof(T));
    return value;
}

struct Elf32 {
    using Header = Elf32_Ehdr;
    using Section = Elf32_Shdr;
};

struct Elf64 {
    using Header = Elf64_Ehdr;
    using Section = Elf64_Shdr;
};

template <typename Section>
std::span<const std::byte> contentsOf(std::span<const std::byte> image, const Section& section,
                                      std::string_view what) {
    if (section.sh_type == SHT_NOBITS) {
        reject("the " + std::string(what) + " has no contents");
    }
    if (!fits(image, section.sh_offset, section.sh_size)) {
        reject("the " + std::string(what) + " lies outside the file");
    }
    return image.subspan(section.sh_offset, section.sh_size);
}

template <typename Elf> std::span<const std::byte> findModinfo(std::span<const std::byte> image) {
    using Section = typename Elf::Section;
    if (image.size() < sizeof(typename Elf::Header)) {
        reject("the ELF header is truncated");
    }
    const auto header = readAt<typename Elf::Header>(image, 0);
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
    if (!fits(image, header.e_shoff, std::uint64_t{header.e_shnum} * sizeof(Section))) {
        reject("the section header table lies outside the file");
    }
    if (header.e_shstrndx >= header.e_shnum) {
        reject("the section name table index is out of range");
    }
    const auto section = [&](std::size_t index) {
        return readAt<Section>(image, header.e_shoff + index * sizeof(Section));
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

} // namespace

ModInfo ModInfo::read(std::span<const std::byte> image) {
    if (image.size() < EI_NIDENT || std::memcmp(image.data(), ELFMAG, SELFMAG) != 0) {
        reject("it is not an ELF file");
    }
    const auto identity = [&](std::size_t index) {
        return std::to_integer<int>(image[index]);
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

    ModInfo info;
    std::string_view text(reinterpret_cast<const char*>(modinfo.data()), modinfo.size());
    while (!text.empty()) {
        const auto end = std::min(text.find('\0'), text.size());
        const auto entry = text.substr(0, end);
        text.remove_prefix(std::min(end + 1, text.size()));
        const auto equals = entry.find('=');
        if (equals != std::string_view::npos) {
            info.entries_.emplace_back(entry.substr(0, equals), entry.substr(equals + 1));
        }
    }
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
        auto name = value.substr(0, value.find(':'));
        std::replace(name.begin(), name.end(), '-', '_');
        if (!name.empty()) {
            names.insert(std::move(name));
        }
    }
    return names;
}

} // namespace kmodd

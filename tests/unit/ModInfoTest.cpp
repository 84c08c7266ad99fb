#include "ModInfo.h"

#include "Error.h"
#include "ModuleTree.h"
#include "UniqueFd.h"

#include <bit>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iterator>

namespace kmodd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ModuleSpec;
using testing::ModuleTree;
using ::testing::Pair;

constexpr unsigned char hostByteOrder =
    std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB;

std::vector<std::byte> bytesOf(std::string_view text) {
    const auto* data = reinterpret_cast<const std::byte*>(text.data());
    return {data, data + text.size()};
}

std::vector<std::byte> readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string content{std::istreambuf_iterator<char>(in), {}};
    return bytesOf(content);
}

std::vector<std::byte> compiledModule(const ModuleSpec& spec) {
    ModuleTree tree;
    return readFile(tree.add(spec));
}

template <typename T> T readAt(const std::vector<std::byte>& image, std::size_t offset) {
    T value;
    std::memcpy(&value, image.data() + offset, sizeof value);
    return value;
}

template <typename T> void writeAt(std::vector<std::byte>& image, std::size_t offset, T value) {
    std::memcpy(image.data() + offset, &value, sizeof value);
}

struct TestSection {
    std::string name;
    std::string contents;
    std::uint32_t type = SHT_PROGBITS;
};

// Lays out an ELF relocatable object: header, section contents, section name table, then the
// section header table (null section first, name table last), as compilers write them.
template <typename Header, typename Section>
std::vector<std::byte> buildElf(unsigned char elfClass, const std::vector<TestSection>& sections) {
    std::string names(1, '\0');
    std::string body(sizeof(Header), '\0');
    std::vector<Section> headers(1, Section{});
    const auto addSection = [&](const std::string& name, const std::string& contents,
                                std::uint32_t type) {
        Section header{};
        header.sh_name = static_cast<decltype(header.sh_name)>(names.size());
        header.sh_type = type;
        header.sh_offset = static_cast<decltype(header.sh_offset)>(body.size());
        header.sh_size = static_cast<decltype(header.sh_size)>(contents.size());
        names += name + '\0';
        body += contents;
        headers.push_back(header);
    };
    for (const auto& section : sections) {
        addSection(section.name, section.contents, section.type);
    }
    addSection(".shstrtab", names + ".shstrtab" + '\0', SHT_STRTAB);

    Header header{};
    std::memcpy(header.e_ident, ELFMAG, SELFMAG);
    header.e_ident[EI_CLASS] = elfClass;
    header.e_ident[EI_DATA] = hostByteOrder;
    header.e_ident[EI_VERSION] = EV_CURRENT;
    header.e_type = ET_REL;
    header.e_version = EV_CURRENT;
    header.e_ehsize = sizeof(Header);
    header.e_shentsize = sizeof(Section);
    header.e_shnum = static_cast<decltype(header.e_shnum)>(headers.size());
    header.e_shstrndx = static_cast<decltype(header.e_shstrndx)>(headers.size() - 1);
    header.e_shoff = static_cast<decltype(header.e_shoff)>(body.size());

    auto image = bytesOf(body);
    writeAt(image, 0, header);
    for (const auto& section : headers) {
        const auto* data = reinterpret_cast<const std::byte*>(&section);
        image.insert(image.end(), data, data + sizeof section);
    }
    return image;
}

std::vector<std::byte> elf64With(const std::vector<TestSection>& sections) {
    return buildElf<Elf64_Ehdr, Elf64_Shdr>(ELFCLASS64, sections);
}

// The offset of section index's header in a 64-bit image.
std::size_t sectionHeaderOffset(const std::vector<std::byte>& image, std::size_t index) {
    return readAt<Elf64_Ehdr>(image, 0).e_shoff + index * sizeof(Elf64_Shdr);
}

std::string rejectionOf(const std::vector<std::byte>& image) {
    try {
        ModInfo::read(image);
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::KernelRejected) << error.what();
        return error.what();
    }
    ADD_FAILURE() << "the image was accepted";
    return {};
}

TEST(AModInfo, ReadsTheEntriesOfACompiledModule) {
    const auto info = ModInfo::read(compiledModule(
        {.name = "user-mod", .aliases = {"first-alias", "pci:v00001234d*"}, .version = "1.2.3"}));

    EXPECT_THAT(info.values("name"), ElementsAre("user_mod"));
    EXPECT_THAT(info.values("alias"), ElementsAre("first-alias", "pci:v00001234d*"));
    EXPECT_THAT(info.values("version"), ElementsAre("1.2.3"));
    EXPECT_THAT(info.values("vermagic"), ElementsAre("6.1.0-kmodd-test SMP mod_unload"));
    EXPECT_THAT(info.values("license"), ElementsAre());
}

TEST(AModInfo, ListsDeclaredParametersWithDashesWrittenAsUnderscores) {
    const auto info = ModInfo::read(
        compiledModule({.name = "dummy", .parameters = {"numdummies:int", "max-depth:uint"}}));

    EXPECT_THAT(info.declaredParameters(), ElementsAre("max_depth", "numdummies"));
    EXPECT_THAT(info.values("parmtype"), ElementsAre("numdummies:int", "max-depth:uint"));
}

TEST(AModInfo, ReadsAnElf32Module) {
    const auto image = buildElf<Elf32_Ehdr, Elf32_Shdr>(
        ELFCLASS32, {{".text", "code"}, {".modinfo", std::string("name=old\0parm=debug:x\0", 22)}});

    const auto info = ModInfo::read(image);

    EXPECT_THAT(info.entries(), ElementsAre(Pair("name", "old"), Pair("parm", "debug:x")));
    EXPECT_THAT(info.declaredParameters(), ElementsAre("debug"));
}

TEST(AModInfo, SkipsEmptyStringsAndEntriesWithoutAnEqualsSign) {
    const auto info =
        ModInfo::read(elf64With({{".modinfo", std::string("\0\0a=1\0\0\0junk\0b=\0c=x=y", 22)}}));

    EXPECT_THAT(info.entries(), ElementsAre(Pair("a", "1"), Pair("b", ""), Pair("c", "x=y")));
}

TEST(AModInfo, AcceptsAnEmptyModinfoSection) {
    EXPECT_THAT(ModInfo::read(elf64With({{".modinfo", ""}})).entries(), ElementsAre());
}

TEST(AModInfo, RefusesAFileThatIsNotElf) {
    EXPECT_THAT(rejectionOf(bytesOf("#!/bin/sh\nexit 0\n")),
                HasSubstr("the file is not a valid kernel module: it is not an ELF file"));
    EXPECT_THAT(rejectionOf({}), HasSubstr("it is not an ELF file"));
}

TEST(AModInfo, RefusesEveryTruncationOfACompiledModule) {
    const auto image = compiledModule({.name = "dummy", .parameters = {"numdummies:int"}});

    for (std::size_t size = 0; size < image.size(); ++size) {
        EXPECT_THROW(ModInfo::read(std::span(image).first(size)), Error) << "size " << size;
    }
}

TEST(AModInfoReadThroughADescriptor, HasTheEntriesOfTheWholeImage) {
    ModuleTree tree;
    const auto path = tree.add({.name = "dummy", .parameters = {"numdummies:int"}});
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_GE(fd.get(), 0);

    const auto info = ModInfo::readFile(fd.get(), std::filesystem::file_size(path));

    EXPECT_EQ(info.entries(), ModInfo::read(readFile(path)).entries());
    EXPECT_THAT(info.declaredParameters(), ElementsAre("numdummies"));
}

TEST(AModInfoReadThroughADescriptor, RefusesAFileShorterThanItsSizeSaid) {
    ModuleTree tree;
    const auto path = tree.add({.name = "dummy"});
    const auto size = std::filesystem::file_size(path);
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_GE(fd.get(), 0);
    std::filesystem::resize_file(path, size / 2);

    try {
        ModInfo::readFile(fd.get(), size);
        ADD_FAILURE() << "the truncated file was accepted";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::KernelRejected);
    }
}

TEST(AModInfo, RefusesAnImageWithoutModinfo) {
    EXPECT_THAT(rejectionOf(elf64With({{".text", "code"}})),
                HasSubstr("it has no .modinfo section"));
}

TEST(AModInfo, RefusesAnExecutable) {
    auto image = elf64With({{".modinfo", "name=x"}});
    writeAt<Elf64_Half>(image, offsetof(Elf64_Ehdr, e_type), ET_EXEC);

    EXPECT_THAT(rejectionOf(image), HasSubstr("it is not a relocatable object"));
}

TEST(AModInfo, RefusesTheOtherByteOrder) {
    auto image = elf64With({{".modinfo", "name=x"}});
    image[EI_DATA] = std::byte{hostByteOrder == ELFDATA2LSB ? ELFDATA2MSB : ELFDATA2LSB};

    EXPECT_THAT(rejectionOf(image), HasSubstr("byte order"));
}

TEST(AModInfo, RefusesAnUnknownElfClass) {
    auto image = elf64With({{".modinfo", "name=x"}});
    image[EI_CLASS] = std::byte{7};

    EXPECT_THAT(rejectionOf(image), HasSubstr("its ELF class is 7"));
}

TEST(AModInfo, RefusesASectionHeaderTableOutsideTheFile) {
    auto image = elf64With({{".modinfo", "name=x"}});
    writeAt<Elf64_Off>(image, offsetof(Elf64_Ehdr, e_shoff), ~Elf64_Off{0} - 8);

    EXPECT_THAT(
        rejectionOf(image),
        HasSubstr(
            "the file is not a valid kernel module: the section header table lies outside the "
            "file"));
}

TEST(AModInfo, RefusesAnUnexpectedSectionHeaderSize) {
    auto image = elf64With({{".modinfo", "name=x"}});
    writeAt<Elf64_Half>(image, offsetof(Elf64_Ehdr, e_shentsize), 1);

    EXPECT_THAT(rejectionOf(image), HasSubstr("its section headers are 1 bytes, not 64"));
}

TEST(AModInfo, RefusesANameTableIndexOutOfRange) {
    auto image = elf64With({{".modinfo", "name=x"}});
    writeAt<Elf64_Half>(image, offsetof(Elf64_Ehdr, e_shstrndx), 3);

    EXPECT_THAT(rejectionOf(image), HasSubstr("the section name table index is out of range"));
}

TEST(AModInfo, RefusesASectionNameOutsideTheNameTable) {
    auto image = elf64With({{".modinfo", "name=x"}});
    writeAt<Elf64_Word>(image, sectionHeaderOffset(image, 1) + offsetof(Elf64_Shdr, sh_name),
                        0xffffffff);

    EXPECT_THAT(rejectionOf(image),
                HasSubstr("a section name lies outside the section name table"));
}

TEST(AModInfo, RefusesANameTableWithoutItsFinalNul) {
    auto image = elf64With({{".modinfo", "name=x"}});
    const auto table = sectionHeaderOffset(image, 2);
    const auto size = readAt<Elf64_Xword>(image, table + offsetof(Elf64_Shdr, sh_size));
    writeAt<Elf64_Xword>(image, table + offsetof(Elf64_Shdr, sh_size), size - 1);

    EXPECT_THAT(rejectionOf(image), HasSubstr("the section name table is not NUL-terminated"));
}

TEST(AModInfo, RefusesAModinfoSectionOutsideTheFile) {
    auto image = elf64With({{".modinfo", "name=x"}});
    const auto modinfo = sectionHeaderOffset(image, 1);
    const auto original = image;

    writeAt<Elf64_Xword>(image, modinfo + offsetof(Elf64_Shdr, sh_size), image.size());
    EXPECT_THAT(rejectionOf(image), HasSubstr("the .modinfo section lies outside the file"));

    image = original;
    writeAt<Elf64_Xword>(image, modinfo + offsetof(Elf64_Shdr, sh_size), ~Elf64_Xword{0});
    EXPECT_THAT(rejectionOf(image), HasSubstr("the .modinfo section lies outside the file"));

    image = original;
    writeAt<Elf64_Off>(image, modinfo + offsetof(Elf64_Shdr, sh_offset), ~Elf64_Off{0});
    EXPECT_THAT(rejectionOf(image), HasSubstr("the .modinfo section lies outside the file"));
}

TEST(AModInfo, RefusesAModinfoSectionWithoutContents) {
    EXPECT_THAT(rejectionOf(elf64With({{".modinfo", "name=x", SHT_NOBITS}})),
                HasSubstr("the .modinfo section has no contents"));
}

// Run under the sanitizers, this shows that no corrupted header reads out of bounds.
TEST(AModInfo, SurvivesEveryByteOfItsHeadersBeingCorrupted) {
    const auto original = compiledModule({.name = "dummy", .aliases = {"a"}});
    const auto header = readAt<Elf64_Ehdr>(original, 0);
    std::vector<std::size_t> offsets;
    for (std::size_t offset = 0; offset < sizeof header; ++offset) {
        offsets.push_back(offset);
    }
    for (std::size_t offset = 0; offset < header.e_shnum * sizeof(Elf64_Shdr); ++offset) {
        offsets.push_back(header.e_shoff + offset);
    }

    for (const auto offset : offsets) {
        for (const auto value : {std::byte{0x00}, std::byte{0x7f}, std::byte{0xff}}) {
            auto image = original;
            image[offset] = value;
            try {
                ModInfo::read(image);
            } catch (const Error& error) {
                EXPECT_EQ(error.kind(), ErrorKind::KernelRejected) << error.what();
            }
        }
    }
}

} // namespace
} // namespace kmodd

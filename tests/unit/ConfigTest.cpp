#include "Config.h"

#include "Error.h"
#include "ErrorFrom.h"
#include "ScratchDirectory.h"

#include <cstring>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

namespace kmodd {
namespace {

namespace fs = std::filesystem;
using ::testing::StartsWith;
using Paths = std::vector<fs::path>;
using Names = std::vector<std::string>;

Config parse(const std::string& yaml) {
    return applyConfigText({}, yaml, "test.yaml");
}

std::string parametersOf(const Config& config, const std::string& module) {
    auto found = config.defaultParameters.find(ModuleName::parse(module));
    return found == config.defaultParameters.end() ? "<absent>" : found->second.kernelString();
}

std::string configError(const std::function<void()>& action) {
    return testing::errorFrom(action, ErrorKind::ConfigInvalid);
}

std::string parseError(const std::string& yaml) {
    return configError([&] { parse(yaml); });
}

TEST(AConfigText, SetsEveryKey) {
    const Config config = parse(R"(
trusted_paths: [/opt/modules, /lib/modules]
allow: [dummy, veth, "snd_*"]
deny: [floppy]
modules:
  dummy:
    parameters: {numdummies: 2}
boot: [dummy, fs-ext4]
)");
    EXPECT_EQ(config.trustedPaths, (Paths{"/opt/modules", "/lib/modules"}));
    EXPECT_EQ(config.allow, (Names{"dummy", "veth", "snd_*"}));
    EXPECT_EQ(config.deny, Names{"floppy"});
    EXPECT_EQ(parametersOf(config, "dummy"), "numdummies=2");
    EXPECT_EQ(config.defaultParameters.size(), 1u);
    EXPECT_EQ(config.boot, (Names{"dummy", "fs-ext4"}));
}

TEST(AConfigText, ThatIsEmptyOrOnlyCommentsGivesTheDefaults) {
    EXPECT_EQ(parse(""), Config{});
    EXPECT_EQ(parse("# nothing here\n"), Config{});
    EXPECT_EQ(parse("---\n"), Config{});
    EXPECT_EQ(Config{}.trustedPaths, (Paths{"/lib/modules", "/usr/lib/modules"}));
    EXPECT_FALSE(Config{}.allow.has_value());
}

TEST(AConfigText, KeepsParameterValuesAsWritten) {
    const Config config = parse(R"(
modules:
  dummy:
    parameters:
      enable: true
      mask: 0x10
      ratio: 1.50
      offset: -1
      word: "~"
      ids: [1, 2, 3]
      debug: ~
      verbose:
      spaced: "a b"
)");
    EXPECT_EQ(parametersOf(config, "dummy"), "enable=true mask=0x10 ratio=1.50 offset=-1 word=~ "
                                             "ids=1,2,3 debug verbose spaced=\"a b\"");
}

TEST(AConfigText, WritesDashesAsUnderscoresInModuleNamesParametersAndGlobs) {
    const Config config = parse(R"(
allow: [snd-hda-*, "[a-z]-x"]
deny: [snd-bad]
modules:
  snd-dummy:
    parameters: {num-dummies: 2}
boot: [snd-dummy]
)");
    EXPECT_EQ(config.allow, (Names{"snd_hda_*", "[a-z]_x"}));
    EXPECT_EQ(config.deny, Names{"snd_bad"});
    EXPECT_EQ(parametersOf(config, "snd_dummy"), "num_dummies=2");
    EXPECT_EQ(config.boot, Names{"snd-dummy"});
}

TEST(AConfigText, NormalisesTrustedPaths) {
    EXPECT_EQ(parse("trusted_paths: [/lib//modules/, /usr/./lib/modules, /]").trustedPaths,
              (Paths{"/lib/modules", "/usr/lib/modules", "/"}));
}

TEST(AConfigText, ReplacesEachKeyItSetsAndKeepsTheOthers) {
    Config config = parse("trusted_paths: [/a]\nallow: [a]\ndeny: [b]\nboot: [c]\n");
    config = applyConfigText(config, "allow: [x, y]\nboot: []\n", "later.yaml");

    EXPECT_EQ(config.trustedPaths, Paths{"/a"});
    EXPECT_EQ(config.allow, (Names{"x", "y"}));
    EXPECT_EQ(config.deny, Names{"b"});
    EXPECT_EQ(config.boot, Names{});
}

TEST(AConfigText, MergesModulesPerModuleAndPerParameter) {
    Config config = parse(R"(
modules:
  dummy: {parameters: {numdummies: 2, debug: 1}}
  veth: {parameters: {x: 1}}
)");
    config = applyConfigText(config, R"(
modules:
  dummy: {parameters: {numdummies: 4, extra: ~}}
  nbd: {}
)",
                             "later.yaml");

    EXPECT_EQ(parametersOf(config, "dummy"), "numdummies=4 debug=1 extra");
    EXPECT_EQ(parametersOf(config, "veth"), "x=1");
    EXPECT_EQ(parametersOf(config, "nbd"), "");
}

TEST(AConfigText, RefusesAnUnknownKeyNamingFileAndLine) {
    EXPECT_EQ(parseError("deny: [floppy]\n\nalow: [dummy]\n"),
              "test.yaml:3: unknown key 'alow' (expected trusted_paths, allow, deny, modules, "
              "boot)");
    EXPECT_EQ(parseError("modules:\n  dummy:\n    params: {}\n"),
              "test.yaml:3: unknown key 'modules.dummy.params' (expected parameters)");
}

TEST(AConfigText, RefusesWrongTypesNamingFileLineAndKey) {
    EXPECT_EQ(parseError("allow: dummy\n"),
              "test.yaml:1: key 'allow': expected a list of glob patterns, not a single value");
    EXPECT_EQ(parseError("deny:\n  - floppy\n  - [nested]\n"),
              "test.yaml:3: key 'deny': expected a list of glob patterns, found a list");
    EXPECT_EQ(parseError("allow:\n"),
              "test.yaml:1: key 'allow': expected a list of glob patterns, not nothing");
    EXPECT_EQ(parseError("trusted_paths: {a: b}\n"),
              "test.yaml:1: key 'trusted_paths': expected a list of absolute paths, not a map");
    EXPECT_EQ(parseError("boot: dummy\n"),
              "test.yaml:1: key 'boot': expected a list of module names, not a single value");
    EXPECT_EQ(parseError("modules: [dummy]\n"),
              "test.yaml:1: key 'modules': expected a map, not a list");
    EXPECT_EQ(parseError("modules:\n  dummy: ~\n"),
              "test.yaml:2: key 'modules.dummy': expected a map, not nothing");
    EXPECT_EQ(parseError("modules:\n  dummy:\n    parameters: [a]\n"),
              "test.yaml:3: key 'modules.dummy.parameters': expected a map, not a list");
    EXPECT_EQ(parseError("modules:\n  dummy:\n    parameters:\n      x: {a: 1}\n"),
              "test.yaml:4: key 'modules.dummy.parameters.x': expected a value, a list of values "
              "or nothing (a flag), not a map");
    EXPECT_EQ(parseError("modules:\n  dummy:\n    parameters:\n      x: []\n"),
              "test.yaml:4: key 'modules.dummy.parameters.x': expected a value, a list of values "
              "or nothing (a flag), not a list");
    EXPECT_EQ(parseError("modules: {dummy: {parameters: {x: [1, [2]]}}}\n"),
              "test.yaml:1: key 'modules.dummy.parameters.x': expected a value, a list of values "
              "or nothing (a flag), found a list in the list");
    EXPECT_EQ(parseError("? [a]\n: 1\n"),
              "test.yaml:1: key '': a map key must be a name, not a list");
}

TEST(AConfigText, RefusesABadGlobNamingFileLineAndKey) {
    EXPECT_THAT(parseError("allow: [dummy]\ndeny:\n  - floppy\n  - 'snd/*'\n"),
                StartsWith("test.yaml:4: key 'deny': 'snd/*' is not a valid glob"));
    EXPECT_THAT(parseError("allow: ['[a-z']\n"),
                StartsWith("test.yaml:1: key 'allow': '[a-z' is not a valid glob"));
}

TEST(AConfigText, RefusesABadModuleNameNamingFileLineAndKey) {
    EXPECT_EQ(parseError("modules:\n  bad.name:\n    parameters: {}\n"),
              "test.yaml:2: key 'modules.bad.name': 'bad.name' is not a module name: use 1 to 55 "
              "letters, digits, '_' or '-'");
    EXPECT_THAT(parseError("boot:\n  - dummy\n  - ../evil\n"),
                StartsWith("test.yaml:3: key 'boot': '../evil' is not a module name or alias"));
}

TEST(AConfigText, RefusesABadParameterNamingFileLineAndKey) {
    EXPECT_THAT(parseError("modules:\n  dummy:\n    parameters:\n      foo.bar: 1\n"),
                StartsWith("test.yaml:4: key 'modules.dummy.parameters.foo.bar': parameter name "
                           "'foo.bar' for dummy is invalid"));
    EXPECT_THAT(parseError("modules:\n  dummy:\n    parameters:\n      opt: \"a\\\"b\"\n"),
                StartsWith("test.yaml:4: key 'modules.dummy.parameters.opt': the value 'a\"b' of "
                           "parameter 'opt' for dummy contains"));
}

TEST(AConfigText, RefusesATrustedPathThatIsRelativeOrClimbsOrEmpty) {
    EXPECT_EQ(parseError("trusted_paths: [/lib/modules,\n  lib/modules]\n"),
              "test.yaml:2: key 'trusted_paths': 'lib/modules' is not an absolute path");
    EXPECT_EQ(parseError("trusted_paths: [/lib/modules/../../tmp]\n"),
              "test.yaml:1: key 'trusted_paths': '/lib/modules/../../tmp' contains '..'");
    EXPECT_EQ(parseError("trusted_paths: []\n"),
              "test.yaml:1: key 'trusted_paths': the list must name at least one directory");
}

TEST(AConfigText, RefusesAKeyGivenTwiceInOneMap) {
    EXPECT_EQ(parseError("allow: [a]\ndeny: [b]\nallow: [c]\n"),
              "test.yaml:3: key 'allow': given twice (first on line 1)");
    EXPECT_EQ(parseError("modules:\n  dummy: {parameters: {num_dummies: 1, num-dummies: 2}}\n"),
              "test.yaml:2: key 'modules.dummy.parameters.num-dummies': given twice (first on "
              "line 2)");
    EXPECT_EQ(parseError("modules:\n  snd_x: {}\n  snd-x: {}\n"),
              "test.yaml:3: key 'modules.snd-x': given twice (first on line 2)");
}

TEST(AConfigText, RefusesATopLevelThatIsNotAMap) {
    EXPECT_EQ(parseError("- dummy\n"),
              "test.yaml:1: the top level must be a map of keys, not a list");
    EXPECT_EQ(parseError("dummy\n"),
              "test.yaml:1: the top level must be a map of keys, not a single value");
}

TEST(AConfigText, RefusesInvalidYamlNamingFileAndLine) {
    EXPECT_THAT(parseError("allow: [dummy\ndeny: [floppy]\n"),
                StartsWith("test.yaml:2: invalid YAML: "));
    EXPECT_THAT(parseError("allow: [dummy]\n  deny: x\n"),
                StartsWith("test.yaml:2: invalid YAML: "));
}

TEST(AConfigText, RefusesASecondDocument) {
    EXPECT_EQ(parseError("allow: [dummy]\n---\ndeny: [dummy]\n"),
              "test.yaml:3: a config file holds one YAML document, this is the second");
}

TEST(AConfigText, RefusesDeepNestingWithoutCrashing) {
    EXPECT_THAT(parseError("allow: " + std::string(100000, '[')), StartsWith("test.yaml:"));
    EXPECT_THAT(parseError("allow: " + std::string(100, '[') + std::string(100, ']')),
                StartsWith("test.yaml:1: key 'allow'"));
}

class ConfigFiles : public ::testing::Test {
  protected:
    fs::path mainFile() const { return tmp_ / "kmodd.yaml"; }
    fs::path dropIns() const { return tmp_ / "kmodd.yaml.d"; }

    /// loadConfig's error when kmodd has the capabilities kmodd.service leaves it
    /// (CapabilityBoundingSet=CAP_SYS_MODULE): without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH,
    /// root too is held to file modes. Capabilities are per thread: the test's others keep theirs.
    std::string loadErrorAsTheService() const {
        std::string error;
        std::thread([&] {
            __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
            __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
            ASSERT_EQ(::syscall(SYS_capget, &header, data), 0) << std::strerror(errno);
            for (const int capability : {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH}) {
                data[CAP_TO_INDEX(capability)].effective &= ~CAP_TO_MASK(capability);
            }
            ASSERT_EQ(::syscall(SYS_capset, &header, data), 0) << std::strerror(errno);
            error = configError([&] { loadConfig(mainFile(), dropIns()); });
        }).join();
        return error;
    }

    const testing::ScratchDirectory tmp_{"config"};
};

TEST_F(ConfigFiles, WithoutAMainFileOrDropInsGiveTheDefaults) {
    EXPECT_EQ(loadConfig(mainFile(), dropIns()), Config{});
}

TEST_F(ConfigFiles, WithoutADropInDirectoryGiveTheMainFile) {
    tmp_.write("kmodd.yaml", "allow: [dummy]\n");
    EXPECT_EQ(loadConfig(mainFile(), dropIns()).allow, Names{"dummy"});
}

TEST_F(ConfigFiles, WithoutAMainFileStillReadTheDropIns) {
    tmp_.write("kmodd.yaml.d/10-allow.yaml", "allow: [dummy]\n");
    EXPECT_EQ(loadConfig(mainFile(), dropIns()).allow, Names{"dummy"});
}

TEST_F(ConfigFiles, ApplyDropInsInLexicalOrderAfterTheMainFile) {
    tmp_.write("kmodd.yaml", "allow: [main]\ndeny: [main]\nboot: [main]\n"
                             "modules: {dummy: {parameters: {a: main, b: main}}}\n");
    tmp_.write("kmodd.yaml.d/20-second.yaml",
               "allow: [second]\nmodules: {dummy: {parameters: {b: second}}}\n");
    tmp_.write("kmodd.yaml.d/10-first.yaml",
               "allow: [first]\ndeny: [first]\n"
               "modules: {dummy: {parameters: {a: first, b: first}}}\n");
    tmp_.write("kmodd.yaml.d/30-ignored.yml", "allow: [ignored]\n");
    tmp_.write("kmodd.yaml.d/40-ignored.yaml.bak", "allow: [ignored]\n");

    const Config config = loadConfig(mainFile(), dropIns());

    EXPECT_EQ(config.allow, Names{"second"});
    EXPECT_EQ(config.deny, Names{"first"});
    EXPECT_EQ(config.boot, Names{"main"});
    EXPECT_EQ(parametersOf(config, "dummy"), "a=first b=second");
}

TEST_F(ConfigFiles, NameTheDropInThatIsWrong) {
    tmp_.write("kmodd.yaml", "allow: [dummy]\n");
    tmp_.write("kmodd.yaml.d/10-good.yaml", "deny: [floppy]\n");
    tmp_.write("kmodd.yaml.d/20-bad.yaml", "deny: [floppy]\nboot: nope\n");

    EXPECT_EQ(configError([&] { loadConfig(mainFile(), dropIns()); }),
              (dropIns() / "20-bad.yaml").string() +
                  ":2: key 'boot': expected a list of module names, not a single value");
}

TEST_F(ConfigFiles, RefuseAMainFileThatCannotBeRead) {
    fs::create_directories(mainFile());
    EXPECT_EQ(configError([&] { loadConfig(mainFile(), dropIns()); }),
              mainFile().string() + ": cannot be read: not a regular file");
}

TEST_F(ConfigFiles, RefuseAMainFileMadeUnreadable) {
    tmp_.write("kmodd.yaml", "allow: [dummy]\n");
    fs::permissions(mainFile(), fs::perms::none);

    EXPECT_EQ(loadErrorAsTheService(), mainFile().string() + ": cannot be read: Permission denied");
}

TEST_F(ConfigFiles, RefuseADropInMadeUnreadableNamingIt) {
    tmp_.write("kmodd.yaml", "allow: [dummy]\n");
    tmp_.write("kmodd.yaml.d/10-deny.yaml", "deny: [floppy]\n");
    fs::permissions(dropIns() / "10-deny.yaml", fs::perms::none);

    EXPECT_EQ(loadErrorAsTheService(),
              (dropIns() / "10-deny.yaml").string() + ": cannot be read: Permission denied");
}

TEST_F(ConfigFiles, RefuseADropInDirectoryMadeUnreadable) {
    tmp_.write("kmodd.yaml.d/10-deny.yaml", "deny: [floppy]\n");
    fs::permissions(dropIns(), fs::perms::none);

    EXPECT_EQ(loadErrorAsTheService(), dropIns().string() + ": cannot be read: Permission denied");
}

TEST_F(ConfigFiles, RefuseAFifoWithoutWaitingForAWriter) {
    ASSERT_EQ(::mkfifo(mainFile().c_str(), 0600), 0);
    EXPECT_EQ(configError([&] { loadConfig(mainFile(), dropIns()); }),
              mainFile().string() + ": cannot be read: not a regular file");
}

TEST_F(ConfigFiles, RefuseADropInPathThatIsNotADirectory) {
    tmp_.write("kmodd.yaml.d", "allow: [dummy]\n");
    EXPECT_THAT(configError([&] { loadConfig(mainFile(), dropIns()); }),
                StartsWith(dropIns().string() + ": cannot be read: "));
}

// Config trust, as sshd's StrictModes: only root may write what widens the policy.
TEST_F(ConfigFiles, RefuseADropInWritableByOthersNamingItAndTheMode) {
    tmp_.write("kmodd.yaml", "allow: [dummy]\n");
    tmp_.write("kmodd.yaml.d/50-nobody.yaml", "allow: [\"*\"]\n", fs::perms(0666));

    EXPECT_EQ(configError([&] { loadConfig(mainFile(), dropIns()); }),
              (dropIns() / "50-nobody.yaml").string() +
                  ": not trusted: the file is writable by others (mode 0666)");
}

TEST_F(ConfigFiles, RefuseADropInOwnedByAnotherUserNamingIt) {
    const fs::path dropIn = tmp_.write("kmodd.yaml.d/50-nobody.yaml", "allow: [\"*\"]\n");
    ASSERT_EQ(::chown(dropIn.c_str(), 65534, 65534), 0) << std::strerror(errno);

    EXPECT_EQ(configError([&] { loadConfig(mainFile(), dropIns()); }),
              dropIn.string() + ": not trusted: the file is owned by uid 65534, not by root");
}

TEST_F(ConfigFiles, RefuseAMainFileWritableByItsGroup) {
    tmp_.write("kmodd.yaml", "allow: [dummy]\n", fs::perms(0664));

    EXPECT_EQ(configError([&] { loadConfig(mainFile(), dropIns()); }),
              mainFile().string() + ": not trusted: the file is writable by its group (mode 0664)");
}

TEST_F(ConfigFiles, RefuseADropInDirectoryWritableByOthers) {
    tmp_.write("kmodd.yaml.d/10-deny.yaml", "deny: [floppy]\n");
    fs::permissions(dropIns(), fs::perms(01777));

    EXPECT_EQ(configError([&] { loadConfig(mainFile(), dropIns()); }),
              dropIns().string() +
                  ": not trusted: the directory is writable by others (mode 1777)");
}

TEST_F(ConfigFiles, RefuseAMainFileThatIsASymbolicLink) {
    const fs::path target = tmp_.write("elsewhere.yaml", "allow: [\"*\"]\n");
    fs::create_symlink(target, mainFile());

    EXPECT_EQ(configError([&] { loadConfig(mainFile(), dropIns()); }),
              mainFile().string() + ": not trusted: it is a symbolic link");
}

TEST_F(ConfigFiles, RefuseADropInThatIsASymbolicLink) {
    const fs::path target = tmp_.write("elsewhere.yaml", "allow: [\"*\"]\n");
    tmp_.createDirectories("kmodd.yaml.d");
    fs::create_symlink(target, dropIns() / "50-link.yaml");

    EXPECT_EQ(configError([&] { loadConfig(mainFile(), dropIns()); }),
              (dropIns() / "50-link.yaml").string() + ": not trusted: it is a symbolic link");
}

TEST_F(ConfigFiles, AcceptFilesOwnedByRootAndWritableByRootOnly) {
    tmp_.write("kmodd.yaml", "allow: [dummy]\n", fs::perms(0600));
    tmp_.write("kmodd.yaml.d/10-deny.yaml", "deny: [floppy]\n", fs::perms(0444));

    const Config config = loadConfig(mainFile(), dropIns());

    EXPECT_EQ(config.allow, Names{"dummy"});
    EXPECT_EQ(config.deny, Names{"floppy"});
}

} // namespace
} // namespace kmodd

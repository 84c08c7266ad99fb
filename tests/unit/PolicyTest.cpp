#include "Policy.h"

#include "Config.h"
#include "Error.h"

#include <functional>
#include <gtest/gtest.h>

namespace kmodd {
namespace {

ModuleName name(const std::string& text) {
    return ModuleName::parse(text);
}

Policy policyOf(std::optional<std::vector<std::string>> allow, std::vector<std::string> deny) {
    Config config;
    config.allow = std::move(allow);
    config.deny = std::move(deny);
    return Policy(config);
}

// What the module index would answer for `module` with the given dependencies loaded first.
Resolution resolutionOf(const std::string& module, const std::vector<std::string>& dependencies) {
    Resolution resolution{module, name(module), false, {}};
    for (const std::string& dependency : dependencies) {
        resolution.loadOrder.push_back({name(dependency), "/lib/modules/" + dependency + ".ko"});
    }
    resolution.loadOrder.push_back({name(module), "/lib/modules/" + module + ".ko"});
    return resolution;
}

std::string notAllowedMessage(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::NotAllowed) << error.what();
        return error.what();
    }
    ADD_FAILURE() << "the policy allowed it";
    return {};
}

TEST(AGlob, MatchesModuleNamesLikeFnmatch) {
    EXPECT_TRUE(globMatches("snd_*", "snd_hda_intel"));
    EXPECT_TRUE(globMatches("snd_*", "snd_"));
    EXPECT_FALSE(globMatches("snd_*", "snd"));
    EXPECT_TRUE(globMatches("?ummy", "dummy"));
    EXPECT_TRUE(globMatches("veth[0-9]", "veth7"));
    EXPECT_FALSE(globMatches("veth[!0-9]", "veth7"));
    EXPECT_FALSE(globMatches("dummy", "dummy2"));
}

TEST(AGlob, IsValidOnlyOverModuleNameCharactersWithBalancedBrackets) {
    for (const char* pattern :
         {"dummy", "snd_*", "snd-*", "?ummy", "[a-z]*", "[!0-9]x", "v[0-9_]", "[A-Za-z]", "*"}) {
        EXPECT_TRUE(isValidGlob(pattern)) << pattern;
    }
    for (const char* pattern : {"", "snd/*", "a b", "dummy.ko", "\\*", "[", "[]", "[!]", "a]",
                                "[a-z", "[z-a]", "[a-]", "[-a]", "[[:alpha:]]", "[*]", "x!"}) {
        EXPECT_FALSE(isValidGlob(pattern)) << pattern;
    }
}

// Canonical names never contain '-', so outside brackets it means '_'; inside brackets it is
// the range operator and must survive, or "[a-z]" would become the set {a, _, z}.
TEST(AGlob, IsCanonicalisedOutsideBracketsOnly) {
    EXPECT_EQ(canonicalGlob("snd-hda-*"), "snd_hda_*");
    EXPECT_EQ(canonicalGlob("snd-[a-z]-x"), "snd_[a-z]_x");
    EXPECT_EQ(canonicalGlob("[!0-9]-[a-c]"), "[!0-9]_[a-c]");
}

TEST(APolicy, WithoutAnAllowListAllowsEveryModuleNotDenied) {
    const Policy policy = policyOf(std::nullopt, {"floppy"});
    EXPECT_TRUE(policy.allows(name("dummy")));
    EXPECT_TRUE(policy.allows(name("snd_hda_intel")));
    EXPECT_FALSE(policy.allows(name("floppy")));
}

TEST(APolicy, WithAnAllowListAllowsOnlyMatchingModules) {
    const Policy policy = policyOf(std::vector<std::string>{"dummy", "snd_*"}, {});
    EXPECT_TRUE(policy.allows(name("dummy")));
    EXPECT_TRUE(policy.allows(name("snd_hda_intel")));
    EXPECT_FALSE(policy.allows(name("veth")));
    EXPECT_EQ(notAllowedMessage([&] { policy.checkLoad(resolutionOf("veth", {})); }),
              "veth is not in the kmodd allow list");
}

TEST(APolicy, WithAnEmptyAllowListAllowsNothing) {
    EXPECT_FALSE(policyOf(std::vector<std::string>{}, {}).allows(name("dummy")));
}

TEST(APolicy, LetsDenyWinOverAllowAndNamesThePattern) {
    const Policy policy = policyOf(std::vector<std::string>{"*"}, {"flop*", "nbd"});
    EXPECT_FALSE(policy.allows(name("floppy")));
    EXPECT_EQ(notAllowedMessage([&] { policy.checkLoad(resolutionOf("floppy", {})); }),
              "floppy is denied by the kmodd policy (deny: flop*)");
}

TEST(APolicy, TreatsDashAndUnderscoreAsTheSameName) {
    const Config config =
        applyConfigText({}, "allow: [snd-hda-*]\ndeny: [snd_hda_bad]\n", "test.yaml");
    const Policy policy(config);
    EXPECT_TRUE(policy.allows(name("snd_hda_intel")));
    EXPECT_TRUE(policy.allows(name("snd-hda-intel")));
    EXPECT_FALSE(policy.allows(name("snd-hda-bad")));
}

TEST(APolicy, KeepsRangesInBracketsFromTheConfig) {
    const Policy policy(applyConfigText({}, "allow: ['snd-[a-z]*']\n", "test.yaml"));
    EXPECT_TRUE(policy.allows(name("snd_hda")));
    EXPECT_FALSE(policy.allows(name("snd_1x")));
    EXPECT_FALSE(policy.allows(name("snd__x")));
}

TEST(APolicy, AllowsTheDependenciesOfAnAllowedModule) {
    const Policy policy = policyOf(std::vector<std::string>{"foo"}, {});
    EXPECT_NO_THROW(policy.checkLoad(resolutionOf("foo", {"nbd", "libfoo"})));
}

TEST(APolicy, RefusesAModuleThatNeedsADeniedDependencyNamingBoth) {
    const Policy policy = policyOf(std::vector<std::string>{"foo"}, {"nbd"});
    EXPECT_EQ(notAllowedMessage([&] {
                  policy.checkLoad(resolutionOf("foo", {"libfoo", "nbd"}));
              }),
              "nbd is denied by the kmodd policy and is needed by foo");
}

TEST(APolicy, ChecksTheResolvedModuleNotTheRequestedAlias) {
    const Policy policy = policyOf(std::vector<std::string>{"ext4"}, {});
    Resolution resolution = resolutionOf("ext4", {"jbd2"});
    resolution.requested = "fs-ext4";
    EXPECT_NO_THROW(policy.checkLoad(resolution));
}

TEST(APolicy, ChecksABuiltinModuleToo) {
    const Policy policy = policyOf(std::nullopt, {"ext4"});
    const Resolution resolution{"ext4", name("ext4"), true, {}};
    EXPECT_EQ(notAllowedMessage([&] { policy.checkLoad(resolution); }),
              "ext4 is denied by the kmodd policy (deny: ext4)");
}

TEST(APolicy, AppliesToUnloadAsWell) {
    const Policy policy = policyOf(std::vector<std::string>{"dummy", "floppy"}, {"floppy"});
    EXPECT_NO_THROW(policy.checkUnload(name("dummy")));
    EXPECT_EQ(notAllowedMessage([&] { policy.checkUnload(name("floppy")); }),
              "floppy is denied by the kmodd policy (deny: floppy)");
    EXPECT_EQ(notAllowedMessage([&] { policy.checkUnload(name("veth")); }),
              "veth is not in the kmodd allow list");
}

} // namespace
} // namespace kmodd

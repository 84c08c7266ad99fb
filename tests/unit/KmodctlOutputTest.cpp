#include "Output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kmodctl {
namespace {

const ModuleDetails dummyDetails{
    .name = "dummy",
    .state = "live",
    .refCount = 1,
    .holders = {"a", "b"},
    .parameters = {{"numdummies", "2"}, {"x", "y"}},
    .path = "/lib/modules/6.1.0/kernel/drivers/net/dummy.ko.xz",
    .version = "",
    .signer = "Debian Secure Boot CA",
};

TEST(AKmodctlModuleList, IsATableSortedByName) {
    const std::vector<ModuleSummary> modules{{"veth", "live", 0, {}},
                                             {"bridge", "coming", 12, {"br_netfilter", "x"}}};
    EXPECT_EQ(formatModuleList(modules, false), "MODULE  STATE   REFS  USED-BY\n"
                                                "bridge  coming    12  br_netfilter,x\n"
                                                "veth    live       0\n");
}

TEST(AKmodctlModuleList, IsAJsonArrayWithTheSameFields) {
    const std::vector<ModuleSummary> modules{{"veth", "live", 0, {}}, {"bridge", "live", 1, {"x"}}};
    EXPECT_EQ(formatModuleList(modules, true),
              R"([{"name":"bridge","state":"live","refcount":1,"holders":["x"]},)"
              R"({"name":"veth","state":"live","refcount":0,"holders":[]}])"
              "\n");
    EXPECT_EQ(formatModuleList({}, true), "[]\n");
}

TEST(AKmodctlModuleList, ColoursOnlyTheStateOfLiveModulesWhenAsked) {
    const std::vector<ModuleSummary> modules{{"veth", "live", 0, {}}, {"bridge", "going", 1, {}}};
    EXPECT_EQ(formatModuleList(modules, false, true), "MODULE  STATE  REFS  USED-BY\n"
                                                      "bridge  going     1\n"
                                                      "veth    \x1b[0;32mlive\x1b[0m      0\n");
    EXPECT_EQ(formatModuleList(modules, true, true), formatModuleList(modules, true));
}

TEST(AKmodctlModuleStatus, IsABlockOfAlignedLabels) {
    EXPECT_EQ(formatModuleDetails(dummyDetails, false),
              "    Module: dummy\n"
              "     State: live\n"
              "References: 1\n"
              "   Used by: a, b\n"
              "      Path: /lib/modules/6.1.0/kernel/drivers/net/dummy.ko.xz\n"
              "   Version: -\n"
              "    Signer: Debian Secure Boot CA\n"
              "Parameters: numdummies=2\n"
              "            x=y\n");
}

TEST(AKmodctlModuleStatus, ShowsADashForWhatIsEmpty) {
    ModuleDetails builtin;
    builtin.name = "ext4";
    builtin.state = "builtin";
    const std::string text = formatModuleDetails(builtin, false);
    EXPECT_NE(text.find("   Used by: -\n"), std::string::npos) << text;
    EXPECT_NE(text.find("Parameters: -\n"), std::string::npos) << text;
}

TEST(AKmodctlModuleStatus, ColoursTheStateOfALiveOrBuiltinModuleWhenAsked) {
    EXPECT_NE(formatModuleDetails(dummyDetails, false, true).find("State: \x1b[0;32mlive\x1b[0m\n"),
              std::string::npos);
    ModuleDetails unloaded = dummyDetails;
    unloaded.state = "unloaded";
    EXPECT_EQ(formatModuleDetails(unloaded, false, true), formatModuleDetails(unloaded, false));
}

TEST(AKmodctlModuleStatus, IsAJsonObjectWithEveryField) {
    EXPECT_EQ(formatModuleDetails(dummyDetails, true),
              R"({"name":"dummy","state":"live","refcount":1,"holders":["a","b"],)"
              R"("parameters":{"numdummies":"2","x":"y"},"restrictedparameters":[],)"
              R"("path":"/lib/modules/6.1.0/kernel/drivers/net/dummy.ko.xz",)"
              R"("version":"","signer":"Debian Secure Boot CA"})"
              "\n");
}

TEST(AKmodctlError, IsOneLineWithARedPrefixWhenAsked) {
    EXPECT_EQ(formatError("module 'x' not found", false), "kmodctl: module 'x' not found\n");
    EXPECT_EQ(formatError("module 'x' not found", true),
              "\x1b[0;1;31mkmodctl:\x1b[0m module 'x' not found\n");
}

TEST(AKmodctlLoadOutput, IsQuietOnSuccessUnlessVerbose) {
    const LoadOutcome outcome{"dummy", "dummy", "already-loaded", {}};
    EXPECT_EQ(formatLoadOutcome(outcome, false, false), "");
    EXPECT_EQ(formatLoadOutcome(outcome, false, true), "dummy is already loaded.\n");
}

TEST(AKmodctlLoadOutput, NamesTheDependenciesItInserted) {
    EXPECT_EQ(
        formatLoadOutcome({"bridge", "bridge", "loaded", {"llc", "stp", "bridge"}}, false, true),
        "Loaded bridge and its dependencies llc, stp.\n");
    EXPECT_EQ(formatLoadOutcome({"dummy", "dummy", "loaded", {"dummy"}}, false, true),
              "Loaded dummy.\n");
    EXPECT_EQ(formatLoadOutcome({"ext4", "ext4", "builtin", {}}, false, true),
              "ext4 is built into the kernel.\n");
}

TEST(AKmodctlLoadOutput, IsAJsonObjectEvenWhenNotVerbose) {
    EXPECT_EQ(formatLoadOutcome({"fs-ext4", "ext4", "loaded", {"jbd2", "ext4"}}, true, false),
              R"({"name":"fs-ext4","module":"ext4","result":"loaded","inserted":["jbd2","ext4"],)"
              R"("modules":[],"skipped":[]})"
              "\n");
}

TEST(AKmodctlLoadOutput, ShowsTheParametersOfEachInsertedModuleWhenVerbose) {
    const LoadOutcome outcome{"dummy",
                              "dummy",
                              "loaded",
                              {"dummy"},
                              {{"dummy", "/lib/dummy.ko", "numdummies=3", "inserted"}}};
    EXPECT_EQ(formatLoadOutcome(outcome, false, true),
              "Loaded dummy.\nParameters of dummy: numdummies=3\n");
}

TEST(AKmodctlLoadOutput, PrintsADryRunsPlanInLoadOrder) {
    const LoadOutcome outcome{"vxlan",
                              "vxlan",
                              "dry-run",
                              {},
                              {{"udp_tunnel", "/lib/udp_tunnel.ko", "", "already-loaded"},
                               {"vxlan", "/lib/vxlan.ko", "a=1", "to-insert"}}};
    EXPECT_EQ(formatLoadOutcome(outcome, false, false),
              "loaded udp_tunnel /lib/udp_tunnel.ko (already loaded)\n"
              "insert vxlan /lib/vxlan.ko a=1\n");
}

TEST(AKmodctlLoadOutput, ListsTheSkippedSoftDependenciesInJson) {
    const LoadOutcome outcome{"dummy", "dummy", "loaded", {"dummy"}, {}, {{"nlmon", "denied"}}};
    EXPECT_THAT(formatLoadOutcome(outcome, true, false),
                ::testing::HasSubstr(R"("skipped":[{"module":"nlmon","reason":"denied"}])"));
}

TEST(AKmodctlUnloadOutput, IsQuietUnlessVerboseOrJson) {
    EXPECT_EQ(formatUnloaded("dummy", {"dummy"}, false, false), "");
    EXPECT_EQ(formatUnloaded("dummy", {"dummy"}, false, true), "Unloaded dummy.\n");
    EXPECT_EQ(formatUnloaded("dummy", {"dummy"}, true, false),
              R"({"module":"dummy","result":"unloaded","unloaded":["dummy"]})"
              "\n");
}

TEST(AKmodctlUnloadOutput, NamesWhatItRemovedAlongWhenVerbose) {
    EXPECT_EQ(formatUnloaded("vxlan", {"vxlan", "udp_tunnel"}, false, true),
              "Unloaded vxlan and what its load had inserted: udp_tunnel.\n");
}

TEST(AKmodctlBootResult, SucceedsOnlyForTheThreeLoadResults) {
    EXPECT_TRUE((BootResult{"a", "a", "loaded"}.succeeded()));
    EXPECT_TRUE((BootResult{"a", "a", "already-loaded"}.succeeded()));
    EXPECT_TRUE((BootResult{"a", "a", "builtin"}.succeeded()));
    EXPECT_FALSE((BootResult{"a", "", "a is not allowed by the kmodd policy."}.succeeded()));
}

TEST(AKmodctlBootOutput, IsAJsonArrayWithTheErrorOfEachFailure) {
    EXPECT_EQ(formatBootResultsJson({{"dummy", "dummy", "loaded"}, {"floppy", "", "denied."}}),
              R"([{"name":"dummy","module":"dummy","result":"loaded","error":null},)"
              R"({"name":"floppy","module":"","result":"failed","error":"denied."}])"
              "\n");
}

TEST(AKmodctlMonitorOutput, IsOneLinePerEvent) {
    EXPECT_EQ(formatMonitorEvent({MonitorEvent::Kind::Loaded, "dummy", {}}, false),
              "loaded dummy\n");
    EXPECT_EQ(formatMonitorEvent({MonitorEvent::Kind::Unloaded, "dummy", {}}, false),
              "unloaded dummy\n");
    const PropertyMap changed{{"Holders", std::vector<std::string>{"a", "b"}},
                              {"RefCount", std::uint32_t{2}},
                              {"State", std::string("live")}};
    EXPECT_EQ(formatMonitorEvent({MonitorEvent::Kind::Changed, "veth", changed}, false),
              "changed veth Holders=a,b RefCount=2 State=live\n");
}

TEST(AKmodctlMonitorOutput, IsOneJsonObjectPerLine) {
    EXPECT_EQ(formatMonitorEvent({MonitorEvent::Kind::Loaded, "dummy", {}}, true),
              R"({"event":"loaded","module":"dummy"})"
              "\n");
    const PropertyMap changed{{"RefCount", std::uint32_t{0}},
                              {"Parameters", std::map<std::string, std::string>{{"n", "1"}}},
                              {"State", std::string("going")}};
    EXPECT_EQ(formatMonitorEvent({MonitorEvent::Kind::Changed, "dummy", changed}, true),
              R"({"event":"changed","module":"dummy","properties":)"
              R"({"parameters":{"n":"1"},"refcount":0,"state":"going"}})"
              "\n");
}

TEST(AKmodctlModuleStatus, ListsARootOnlyParameterWithoutAValue) {
    ModuleDetails details = dummyDetails;
    details.restrictedParameters = {"secret"};
    EXPECT_NE(formatModuleDetails(details, false)
                  .find("Parameters: numdummies=2\n"
                        "            secret (value readable by root only)\n"
                        "            x=y\n"),
              std::string::npos);
    EXPECT_NE(formatModuleDetails(details, true).find(R"("restrictedparameters":["secret"])"),
              std::string::npos);
}

// What a module file, sysfs or another caller put in a string must not reach the terminal raw.
TEST(AKmodctlModuleStatus, EscapesControlCharactersInEveryField) {
    ModuleDetails details = dummyDetails;
    details.signer = "evil\x1b]0;owned\x07";
    details.version = "1.0\nParameters: forged";
    details.parameters = {{"x", "a\rb"}};
    details.holders = {"h\x1b[2J"};
    const std::string text = formatModuleDetails(details, false);
    EXPECT_NE(text.find("Signer: evil\\x1b]0;owned\\x07\n"), std::string::npos) << text;
    EXPECT_NE(text.find("Version: 1.0\\nParameters: forged\n"), std::string::npos) << text;
    EXPECT_NE(text.find("Parameters: x=a\\rb\n"), std::string::npos) << text;
    EXPECT_NE(text.find("Used by: h\\x1b[2J\n"), std::string::npos) << text;
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
}

TEST(AKmodctlModuleStatus, KeepsJsonOutputJsonEscaped) {
    ModuleDetails details = dummyDetails;
    details.signer = "evil\x1b[2J";
    EXPECT_NE(formatModuleDetails(details, true).find(R"("signer":"evil\u001b[2J")"),
              std::string::npos)
        << formatModuleDetails(details, true);
}

TEST(AKmodctlModuleList, EscapesControlCharactersInNamesAndHolders) {
    const std::string text = formatModuleList({{"a\x1b[2J", "live", 0, {"b\nc"}}}, false);
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
    EXPECT_NE(text.find("a\\x1b[2J"), std::string::npos) << text;
    EXPECT_NE(text.find("b\\nc"), std::string::npos) << text;
}

TEST(AKmodctlError, EscapesControlCharactersOfTheMessage) {
    EXPECT_EQ(formatError("cannot load 'x\n\x1b[1Ay': no", false),
              "kmodctl: cannot load 'x\\n\\x1b[1Ay': no\n");
}

TEST(AKmodctlMonitorOutput, EscapesControlCharactersOfNamesAndValues) {
    const PropertyMap changed{{"State", std::string("live\xc2\x9b")},
                              {"Holders", std::vector<std::string>{"a\tb"}}};
    EXPECT_EQ(formatMonitorEvent({MonitorEvent::Kind::Changed, "v\ne", changed}, false),
              "changed v\\ne Holders=a\\tb State=live\\xc2\\x9b\n");
}

} // namespace
} // namespace kmodctl

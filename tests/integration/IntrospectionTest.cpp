#include "Introspection.h"

#include "ServiceTest.h"
#include "TextFile.h"

#include <gmock/gmock.h>

namespace kmodd::testing {
namespace {

using ::testing::Contains;

class TheRunningDaemon : public ServiceTest {
  protected:
    std::vector<std::string> introspectedMembers(const std::string& path,
                                                 const std::string& interface) {
        const auto xml = busctl({"introspect", "--xml-interface", busName, path});
        EXPECT_EQ(xml.exitCode, 0) << xml.describe();
        return interfaceMembers(xml.out, interface);
    }

    static std::vector<std::string> documentedMembers(const std::string& interface) {
        const auto xml =
            readText(std::filesystem::path(KMODD_SOURCE_DIR) / "dbus" / (interface + ".xml"));
        return interfaceMembers(xml, interface);
    }
};

TEST(TheInterfaceXml, ReadsAsTheMembersItDeclares) {
    const auto members = interfaceMembers(
        readText(std::filesystem::path(KMODD_SOURCE_DIR) / "dbus/org.kmodd.Manager1.xml"),
        managerInterface);

    EXPECT_THAT(members, Contains("method Load(sa{ss}t) -> (ssasa(ssss)a(ss))"));
    EXPECT_THAT(members, Contains("signal ModuleLoaded(s)"));
    EXPECT_THAT(members, Contains("property Version s read"));
}

TEST_F(TheRunningDaemon, OffersManager1AsItsXmlDeclaresIt) {
    EXPECT_EQ(introspectedMembers(managerPath, managerInterface),
              documentedMembers(managerInterface));
}

TEST_F(TheRunningDaemon, OffersModule1AsItsXmlDeclaresIt) {
    ASSERT_EQ(kmodctl({"load", "dummy"}).exitCode, exitCode::success);

    EXPECT_EQ(introspectedMembers("/org/kmodd/Manager1/module/dummy", moduleInterface),
              documentedMembers(moduleInterface));
}

} // namespace
} // namespace kmodd::testing

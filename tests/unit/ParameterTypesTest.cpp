#include "ParameterTypes.h"

#include "Error.h"
#include "ErrorFrom.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kmodd {
namespace {

using testing::errorFrom;
using ::testing::HasSubstr;

const ModuleName module = ModuleName::parse("dummy");

ParameterList oneParameter(const char* text) {
    ParameterList list;
    list.set(module, ParameterList::parseAssignment(module, text));
    return list;
}

void check(const char* text, const char* type) {
    checkParameterTypes(module, oneParameter(text), {{"p", type}});
}

bool fits(const char* text, const char* type) {
    try {
        check(text, type);
        return true;
    } catch (const Error&) {
        return false;
    }
}

TEST(AParameterTypeCheck, AcceptsWhatTheKernelsIntegerParsersAccept) {
    EXPECT_TRUE(fits("p=3", "int"));
    EXPECT_TRUE(fits("p=-2147483648", "int"));
    EXPECT_TRUE(fits("p=0x10", "int"));
    EXPECT_TRUE(fits("p=017", "uint"));
    EXPECT_TRUE(fits("p=+4", "uint"));
    EXPECT_TRUE(fits("p=18446744073709551615", "ulong"));
    EXPECT_TRUE(fits("p=-9223372036854775808", "long"));
    EXPECT_TRUE(fits("p=255", "byte"));
    EXPECT_TRUE(fits("p=-32768", "short"));
    EXPECT_TRUE(fits("p=65535", "ushort"));
    EXPECT_TRUE(fits("p=ff", "hexint"));
    EXPECT_TRUE(fits("p=0xFF", "hexint"));
}

TEST(AParameterTypeCheck, RefusesWhatTheyRefuse) {
    EXPECT_FALSE(fits("p=abc", "int"));
    EXPECT_FALSE(fits("p=", "int"));
    EXPECT_FALSE(fits("p=2147483648", "int"));
    EXPECT_FALSE(fits("p=-1", "uint"));
    EXPECT_FALSE(fits("p=256", "byte"));
    EXPECT_FALSE(fits("p=65536", "ushort"));
    EXPECT_FALSE(fits("p=08", "int"));
    EXPECT_FALSE(fits("p=3x", "long"));
    EXPECT_FALSE(fits("p=18446744073709551616", "ulong"));
    EXPECT_FALSE(fits("p=g", "hexint"));
    EXPECT_FALSE(fits("p", "int"));
}

TEST(AParameterTypeCheck, ReadsBooleansAsKstrtoboolDoes) {
    for (const char* value : {"p=y", "p=N", "p=1", "p=0", "p=on", "p=off", "p=yes", "p"}) {
        EXPECT_TRUE(fits(value, "bool")) << value;
        EXPECT_TRUE(fits(value, "invbool")) << value;
    }
    EXPECT_FALSE(fits("p=maybe", "bool"));
    EXPECT_FALSE(fits("p=o", "bool"));
    EXPECT_FALSE(fits("p=2", "invbool"));
}

TEST(AParameterTypeCheck, ChecksEveryElementOfAnArray) {
    EXPECT_TRUE(fits("p=1,2,3", "array of int"));
    EXPECT_TRUE(fits("p=y,n", "array of bool"));
    EXPECT_FALSE(fits("p=1,x,3", "array of int"));
    EXPECT_FALSE(fits("p=1,,3", "array of int"));
    EXPECT_FALSE(fits("p", "array of bool"));
}

TEST(AParameterTypeCheck, AcceptsAnyTextForCharp) {
    EXPECT_TRUE(fits("p=any text", "charp"));
    EXPECT_TRUE(fits("p=a,b", "array of charp"));
}

TEST(AParameterTypeCheck, LeavesTypesItDoesNotKnowToTheKernel) {
    EXPECT_TRUE(fits("p=balance-rr", "mode"));
    EXPECT_TRUE(fits("p=whatever", "string"));
}

TEST(AParameterTypeCheck, NamesTheParameterTheTypeAndTheValue) {
    const std::string message =
        errorFrom([] { check("p=abc", "ushort"); }, ErrorKind::InvalidParameter);
    EXPECT_EQ(message, "parameter 'p' of dummy takes ushort (a whole number from 0 to 65535), "
                       "not 'abc'");
    EXPECT_THAT(errorFrom([] { check("p=1,z", "array of byte"); }, ErrorKind::InvalidParameter),
                HasSubstr("takes a comma-separated list of byte"));
    EXPECT_THAT(errorFrom([] { check("p", "int"); }, ErrorKind::InvalidParameter),
                HasSubstr("not a flag without a value"));
}

} // namespace
} // namespace kmodd

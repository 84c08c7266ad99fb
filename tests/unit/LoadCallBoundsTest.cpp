#include "LoadCallBounds.h"

#include "RequestLimits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>
#include <sdbus-c++/sdbus-c++.h>
#include <string>

// sdbus-c++ 1.2 exports the message factory its own unit tests use (src/MessageUtils.h), but no
// public header declares it: a message on no connection, as the unit tests need.
namespace sdbus {
PlainMessage createPlainMessage();
} // namespace sdbus

using namespace kmodd;
using ::testing::HasSubstr;

namespace {

using Parameters = std::map<std::string, std::string>;

Parameters parametersNamed(std::size_t count, std::size_t valueLength) {
    Parameters parameters;
    for (std::size_t i = 0; i < count; ++i) {
        parameters.emplace("p" + std::to_string(i), std::string(valueLength, 'x'));
    }
    return parameters;
}

// A message with Load's arguments, sealed as a received call is.
sdbus::PlainMessage loadCall(const std::string& name, const Parameters& parameters) {
    auto message = sdbus::createPlainMessage();
    message << name << parameters << std::uint64_t{0x1};
    message.seal();
    return message;
}

TEST(ALoadCallsBounds, PassACallWithinThemAndLeaveItToBeDecodedWhole) {
    auto call = loadCall("dummy", parametersNamed(requestLimit::parameters, 2));

    const LoadCallBounds bounds = readLoadCallBounds(call);

    EXPECT_EQ(bounds.requested, "dummy");
    EXPECT_FALSE(bounds.refusal.has_value());
    std::string name;
    Parameters parameters;
    std::uint64_t flags = 0;
    call >> name >> parameters >> flags;
    EXPECT_EQ(name, "dummy");
    EXPECT_EQ(parameters, parametersNamed(requestLimit::parameters, 2));
    EXPECT_EQ(flags, 0x1u);
}

TEST(ALoadCallsBounds, PassACallWithoutParameters) {
    auto call = loadCall("dummy", {});

    EXPECT_FALSE(readLoadCallBounds(call).refusal.has_value());
}

TEST(ALoadCallsBounds, RefuseFortyThousandParametersNamingTheModuleAndTheBound) {
    auto call = loadCall("dummy", parametersNamed(40000, 1));

    const LoadCallBounds bounds = readLoadCallBounds(call);

    EXPECT_EQ(bounds.requested, "dummy");
    ASSERT_TRUE(bounds.refusal.has_value());
    EXPECT_EQ(bounds.refusal->kind(), ErrorKind::InvalidArgument);
    EXPECT_EQ(std::string(bounds.refusal->what()),
              "the request to load dummy has more than " +
                  std::to_string(requestLimit::parameters) + " parameters; at most " +
                  std::to_string(requestLimit::parameters) + " are accepted");
}

TEST(ALoadCallsBounds, RefuseMoreTextThanTheBound) {
    auto call = loadCall("dummy", parametersNamed(requestLimit::parameters, 1024));

    const LoadCallBounds bounds = readLoadCallBounds(call);

    ASSERT_TRUE(bounds.refusal.has_value());
    EXPECT_THAT(bounds.refusal->what(),
                HasSubstr("more than " + std::to_string(requestLimit::parameterText) + " bytes"));
}

} // namespace

#include "RequestDecoding.h"

#include "Error.h"
#include "RequestLimits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>
#include <string>

using namespace kmodd;
using ::testing::HasSubstr;

namespace {

ErrorKind kindOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& error) {
        return error.kind();
    }
    ADD_FAILURE() << "no error thrown";
    return ErrorKind::Failed;
}

constexpr std::uint64_t allLoadFlags = 0x7;

std::map<std::string, std::string> parametersNamed(std::size_t count, std::size_t valueLength) {
    std::map<std::string, std::string> parameters;
    for (std::size_t i = 0; i < count; ++i) {
        parameters.emplace("p" + std::to_string(i), std::string(valueLength, 'x'));
    }
    return parameters;
}

std::string refusalOf(const std::map<std::string, std::string>& parameters) {
    try {
        decodeParameters("dummy", parameters);
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::InvalidArgument);
        return error.what();
    }
    ADD_FAILURE() << "no error thrown";
    return "";
}

} // namespace

TEST(RequestFlags, DecodeTheInteractiveAndForceBits) {
    EXPECT_EQ(decodeFlags(0, allLoadFlags, "Load"), RequestFlags{});
    EXPECT_EQ(decodeFlags(0x1, allLoadFlags, "Load"), (RequestFlags{true, {}}));
    EXPECT_EQ(decodeFlags(0x6, allLoadFlags, "Load"), (RequestFlags{false, {true, true}}));
}

TEST(RequestFlags, DecodeTheDryRunAndKeepDependenciesBits) {
    EXPECT_TRUE(decodeFlags(wire::flag::dryRun, acceptedFlags::load, "Load").dryRun);
    EXPECT_TRUE(decodeFlags(wire::flag::keepDependencies, acceptedFlags::unload, "Unload")
                    .keepDependencies);
    EXPECT_EQ(kindOf([] { decodeFlags(wire::flag::dryRun, acceptedFlags::unload, "Unload"); }),
              ErrorKind::InvalidArgument);
    EXPECT_EQ(
        kindOf([] { decodeFlags(wire::flag::keepDependencies, acceptedFlags::load, "Load"); }),
        ErrorKind::InvalidArgument);
}

TEST(RequestFlags, RefuseBitsTheMethodDoesNotAccept) {
    EXPECT_EQ(kindOf([] { decodeFlags(0x8, allLoadFlags, "Load"); }), ErrorKind::InvalidArgument);
    EXPECT_EQ(kindOf([] { decodeFlags(0x2, 0x1, "Unload"); }), ErrorKind::InvalidArgument);
    EXPECT_EQ(kindOf([] { decodeFlags(std::uint64_t{1} << 63, allLoadFlags, "Load"); }),
              ErrorKind::InvalidArgument);
}

TEST(RequestFlags, NameTheMethodAndTheRefusedBits) {
    try {
        decodeFlags(0x9, 0x1, "Unload");
        FAIL();
    } catch (const Error& error) {
        EXPECT_THAT(error.what(), HasSubstr("Unload"));
        EXPECT_THAT(error.what(), HasSubstr("0x8"));
    }
}

TEST(RequestParameters, PassAnEmptyValueAsAFlag) {
    const ParameterList list = decodeParameters("dummy", {{"numdummies", "2"}, {"verbose", ""}});

    EXPECT_EQ(list.items(),
              (std::vector<Parameter>{{"numdummies", "2"}, {"verbose", std::nullopt}}));
}

TEST(RequestParameters, WriteADashInANameAsAnUnderscore) {
    EXPECT_EQ(decodeParameters("dummy", {{"num-dummies", "2"}}).kernelString(), "num_dummies=2");
}

TEST(RequestParameters, RefuseABadNameOrValue) {
    EXPECT_EQ(kindOf([] {
                  decodeParameters("dummy", {{"a b", "1"}});
              }),
              ErrorKind::InvalidArgument);
    EXPECT_EQ(kindOf([] {
                  decodeParameters("dummy", {{"x", "1\" y=2"}});
              }),
              ErrorKind::InvalidArgument);
    EXPECT_EQ(kindOf([] { decodeParameters("dummy", {{"", "1"}}); }), ErrorKind::InvalidArgument);
}

TEST(RequestParameters, NameAnAliasThatIsNoModuleNameInTheirErrors) {
    try {
        decodeParameters("pci:v00008086d*", {{"a b", "1"}});
        FAIL();
    } catch (const Error& error) {
        EXPECT_THAT(error.what(), HasSubstr("pci_v00008086d_"));
    }
}

TEST(ADecodedName, IsReadAsAModuleNameWhenItIsOne) {
    const RequestedName decoded = decodeRequestedName("snd-dummy");

    EXPECT_EQ(decoded.requested, "snd-dummy");
    EXPECT_EQ(decoded.module, ModuleName::parse("snd_dummy"));
}

TEST(ADecodedName, IsLeftToBeResolvedWhenItIsAnAlias) {
    const RequestedName decoded = decodeRequestedName("pci:v00008086d*");

    EXPECT_EQ(decoded.requested, "pci:v00008086d*");
    EXPECT_EQ(decoded.module, std::nullopt);
}

TEST(RequestParameters, AcceptAsManyParametersAsTheLimit) {
    EXPECT_EQ(
        decodeParameters("dummy", parametersNamed(requestLimit::parameters, 1)).items().size(),
        requestLimit::parameters);
}

TEST(RequestParameters, RefuseOneParameterMoreThanTheLimitNamingTheBound) {
    const std::string message = refusalOf(parametersNamed(requestLimit::parameters + 1, 1));
    EXPECT_THAT(message, HasSubstr("dummy"));
    EXPECT_THAT(message, HasSubstr("at most " + std::to_string(requestLimit::parameters)));
}

TEST(RequestParameters, RefuseMoreTextThanTheLimitNamingTheBound) {
    // Each value is valid on its own (1024 bytes): only their sum, with the names, is too much.
    static_assert(requestLimit::parameters * 1024 >= requestLimit::parameterText);
    const std::string message = refusalOf(parametersNamed(requestLimit::parameters, 1024));
    EXPECT_THAT(message, HasSubstr("dummy"));
    EXPECT_THAT(message, HasSubstr(std::to_string(requestLimit::parameterText) + " bytes"));
}

TEST(RequestParameters, RefuseAFloodBeforeLookingAtAnyName) {
    // 40,000 parameters whose names are all invalid: the count is what is refused.
    std::map<std::string, std::string> parameters;
    for (int i = 0; i < 40000; ++i) {
        parameters.emplace("bad name " + std::to_string(i), "1");
    }
    EXPECT_THAT(refusalOf(parameters),
                HasSubstr("more than " + std::to_string(requestLimit::parameters) + " parameters"));
}

TEST(ParameterBoundsCounting, RefusesTheFirstParameterTooManyWhateverFollows) {
    ParameterBounds bounds("dummy");
    for (std::size_t i = 0; i < requestLimit::parameters; ++i) {
        bounds.count("p", "1");
    }
    EXPECT_EQ(kindOf([&] { bounds.count("p", "1"); }), ErrorKind::InvalidArgument);
}

TEST(ParameterBoundsCounting, RefusesTheParameterThatTakesTheTextBeyondTheBound) {
    ParameterBounds bounds("dummy");
    bounds.count("p", std::string(requestLimit::parameterText - 1, 'x'));
    EXPECT_EQ(kindOf([&] { bounds.count("q", "1"); }), ErrorKind::InvalidArgument);
}

#include "Parameters.h"

#include "Error.h"
#include "ErrorFrom.h"

#include <functional>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kmodd {
namespace {

using kmodd::testing::errorFrom;

using ::testing::HasSubstr;

const ModuleName dummy = ModuleName::parse("dummy");

ParameterList listOf(const std::vector<std::string>& assignments) {
    ParameterList list;
    for (const std::string& assignment : assignments) {
        list.set(dummy, ParameterList::parseAssignment(dummy, assignment));
    }
    return list;
}

// The kernel's next_arg() (kernel/params.c, lib/cmdline.c) as parse_args() applies it to the
// string given to init_module: the reference for which parameters a string holds. Its handling
// of a parameter that starts with '"' is left out: kmodd never writes one.
std::vector<Parameter> splitLikeTheKernel(const std::string& args) {
    auto isSpace = [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte == ' ' || (byte >= '\t' && byte <= '\r') || byte == 0xa0;
    };
    std::vector<Parameter> parameters;
    std::size_t start = 0;
    for (;;) {
        while (start < args.size() && isSpace(args[start])) {
            ++start;
        }
        if (start == args.size()) {
            return parameters;
        }
        bool inQuote = false;
        std::size_t end = start;
        std::size_t equals = std::string::npos;
        for (; end < args.size() && (inQuote || !isSpace(args[end])); ++end) {
            if (equals == std::string::npos && args[end] == '=') {
                equals = end;
            }
            if (args[end] == '"') {
                inQuote = !inQuote;
            }
        }
        Parameter parameter{args.substr(start, std::min(equals, end) - start), std::nullopt};
        if (equals != std::string::npos) {
            std::string value = args.substr(equals + 1, end - equals - 1);
            if (!value.empty() && value.front() == '"') {
                value.erase(0, 1);
                if (!value.empty() && value.back() == '"') {
                    value.pop_back();
                }
            }
            parameter.value = value;
        }
        parameters.push_back(parameter);
        start = end;
    }
}

TEST(AParameterAssignment, ReadsAFlagAValueAndAList) {
    EXPECT_EQ(ParameterList::parseAssignment(dummy, "debug"), (Parameter{"debug", std::nullopt}));
    EXPECT_EQ(ParameterList::parseAssignment(dummy, "numdummies=2"),
              (Parameter{"numdummies", "2"}));
    EXPECT_EQ(ParameterList::parseAssignment(dummy, "ids=1,2,3"), (Parameter{"ids", "1,2,3"}));
    EXPECT_EQ(ParameterList::parseAssignment(dummy, "empty="), (Parameter{"empty", ""}));
    EXPECT_EQ(ParameterList::parseAssignment(dummy, "expr=a=b"), (Parameter{"expr", "a=b"}));
}

TEST(AParameterAssignment, WritesDashesInTheNameAsUnderscoresButKeepsTheValue) {
    EXPECT_EQ(ParameterList::parseAssignment(dummy, "num-dummies=a-b"),
              (Parameter{"num_dummies", "a-b"}));
}

TEST(AParameterAssignment, RefusesABadNameNamingTheModuleAndTheName) {
    for (const std::string& text : std::vector<std::string>{"", "=1", "foo.bar=1", "a b=1", "x\"=1",
                                                            std::string(65, 'n') + "=1"}) {
        const std::string message = errorFrom([&] { ParameterList::parseAssignment(dummy, text); },
                                              ErrorKind::InvalidArgument);
        EXPECT_THAT(message, HasSubstr("dummy")) << text;
        EXPECT_THAT(message,
                    HasSubstr("'" + text.substr(0, std::min(text.find('='), std::size_t{32}))))
            << text;
    }
    EXPECT_EQ(ParameterList::parseAssignment(dummy, std::string(64, 'n')).name,
              std::string(64, 'n'));
}

TEST(AParameterList, RefusesValuesTheKernelCannotCarry) {
    for (const std::string& value :
         std::vector<std::string>{"a\"b", "line\nbreak", "tab\there", std::string("nul\0x", 5),
                                  "del\x7f", std::string(1025, 'v')}) {
        const std::string message = errorFrom(
            [&] {
                ParameterList().set(dummy, Parameter{"opt", value});
            },
            ErrorKind::InvalidArgument);
        EXPECT_THAT(message, HasSubstr("parameter 'opt' for dummy"));
    }
    ParameterList list;
    list.set(dummy, Parameter{"opt", std::string(1024, 'v')});
    EXPECT_EQ(list.items().size(), 1u);
}

TEST(AParameterList, ReplacesTheValueOfASameNamedParameterInPlace) {
    ParameterList list = listOf({"a=1", "b=2", "a=3"});
    EXPECT_EQ(list.kernelString(), "a=3 b=2");
}

TEST(AParameterList, TreatsDashAndUnderscoreAsTheSameName) {
    ParameterList list = listOf({"num_dummies=1", "num-dummies=2"});
    EXPECT_EQ(list.kernelString(), "num_dummies=2");
}

TEST(MergedParameters, LetTheOverridesWinByNameAndKeepTheRest) {
    const ParameterList defaults = listOf({"num_dummies=2", "debug", "mode=fast"});
    const ParameterList request = listOf({"mode=slow", "num-dummies=5", "extra=1"});

    const ParameterList merged = defaults.mergedWith(dummy, request);

    EXPECT_EQ(merged.kernelString(), "num_dummies=5 debug mode=slow extra=1");
    EXPECT_EQ(defaults.kernelString(), "num_dummies=2 debug mode=fast");
}

TEST(MergedParameters, CanTurnAValueIntoAFlag) {
    EXPECT_EQ(listOf({"debug=1"}).mergedWith(dummy, listOf({"debug"})).kernelString(), "debug");
}

TEST(AParameterList, RefusesAnUndeclaredParameterByName) {
    const ParameterList list = listOf({"numdummies=2", "foo=1"});
    EXPECT_EQ(
        errorFrom([&] { list.checkDeclared(dummy, {"numdummies"}); }, ErrorKind::InvalidParameter),
        "dummy does not declare a parameter 'foo' (it declares: numdummies)");
    EXPECT_EQ(errorFrom([&] { list.checkDeclared(dummy, {}); }, ErrorKind::InvalidParameter),
              "dummy does not declare a parameter 'numdummies' (it declares no parameters)");
}

TEST(AParameterList, ListsOnlyTheFirstFewDeclaredParametersWhenRefusing) {
    const std::set<std::string> declared{"p0", "p1", "p2", "p3", "p4",
                                         "p5", "p6", "p7", "p8", "p9"};
    EXPECT_EQ(
        errorFrom([&] { listOf({"foo"}).checkDeclared(dummy, declared); },
                  ErrorKind::InvalidParameter),
        "dummy does not declare a parameter 'foo' (it declares: p0, p1, p2, p3, p4, p5, p6, p7, "
        "...)");
}

TEST(AParameterList, AcceptsDeclaredParametersWrittenWithDashOrUnderscore) {
    EXPECT_NO_THROW(
        listOf({"num-dummies=1", "debug"}).checkDeclared(dummy, {"num_dummies", "debug"}));
    EXPECT_NO_THROW(listOf({"num_dummies=1"}).checkDeclared(dummy, {"num-dummies"}));
    EXPECT_NO_THROW(ParameterList().checkDeclared(dummy, {}));
}

TEST(AParameterList, AcceptsTheParametersTheKernelTakesForEveryModule) {
    EXPECT_NO_THROW(listOf({"dyndbg=+p", "async_probe"}).checkDeclared(dummy, {}));
}

TEST(AKernelString, SeparatesParametersBySpacesAndWritesFlagsAlone) {
    EXPECT_EQ(listOf({"numdummies=2", "debug", "ids=1,2", "empty="}).kernelString(),
              "numdummies=2 debug ids=1,2 empty=");
    EXPECT_EQ(ParameterList().kernelString(), "");
}

TEST(AKernelString, QuotesAValueWithASpaceSoItStaysOneParameter) {
    const ParameterList list = listOf({"opt=1 numdummies=9", "numdummies=1"});

    EXPECT_EQ(list.kernelString(), "opt=\"1 numdummies=9\" numdummies=1");
    EXPECT_EQ(splitLikeTheKernel(list.kernelString()), list.items());
}

TEST(AKernelString, ReadsBackAsTheSameParametersForTrickyValues) {
    ParameterList list;
    for (const char* value : {" leading", "trailing ", "a  b", "x=y z=w", "'single'", "=", "",
                              "nbsp\xc2\xa0here", "\xc3\xa0 la", "back\\slash"}) {
        list.set(dummy, Parameter{"p" + std::to_string(list.items().size()), value});
    }
    list.set(dummy, Parameter{"flag", std::nullopt});

    EXPECT_EQ(splitLikeTheKernel(list.kernelString()), list.items()) << list.kernelString();
}

} // namespace
} // namespace kmodd

// ParameterList::parseOptions (libkmod's options text) and checkParameterTypes. The input's
// first NUL-separated field is a declared type ("int", "array of bool", ...), the second the
// options text; every parameter in it is declared with that type.
#include "FuzzChecks.h"
#include "ParameterTypes.h"
#include "Parameters.h"

using namespace kmodd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto fields = fuzz::fieldsOf(fuzz::textOf(data, size));
    if (fields.size() < 2) {
        return 0;
    }
    const ModuleName module = ModuleName::parse("fuzz");
    const auto options = fuzz::parsedOrRefused(
        ErrorKind::InvalidArgument, [&] { return ParameterList::parseOptions(module, fields[1]); });
    if (!options) {
        return 0;
    }
    // What the kernel is given reads back as the same parameters: no value became two.
    const auto again = ParameterList::parseOptions(module, options->kernelString());
    fuzz::require(again == *options, "the kernel string of parsed options parses to the same");
    ParameterTypes types;
    for (const Parameter& parameter : options->items()) {
        types.emplace(parameter.name, std::string(fields[0]));
    }
    fuzz::parsedOrRefused(ErrorKind::InvalidParameter, [&] {
        checkParameterTypes(module, *options, types);
        return true;
    });
    return 0;
}

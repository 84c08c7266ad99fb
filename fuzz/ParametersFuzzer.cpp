// ParameterList: parseAssignment, set, mergedWith, checkDeclared and kernelString. The input's
// NUL-separated fields are "name[=value]" texts; an empty field moves from the defaults to the
// overrides.
#include "FuzzChecks.h"
#include "KernelArguments.h"
#include "Parameters.h"

#include <algorithm>
#include <set>
#include <string>

using namespace kmodd;

namespace {

const ModuleName module = ModuleName::parse("fuzz");

void setOrRefuse(ParameterList& list, const Parameter& parameter) {
    fuzz::parsedOrRefused(ErrorKind::InvalidArgument, [&] {
        list.set(module, parameter);
        return true;
    });
}

const Parameter* find(const ParameterList& list, const std::string& name) {
    const auto& items = list.items();
    const auto found = std::find_if(items.begin(), items.end(),
                                    [&](const Parameter& item) { return item.name == name; });
    return found == items.end() ? nullptr : &*found;
}

void checkMerge(const ParameterList& defaults, const ParameterList& overrides,
                const ParameterList& merged) {
    std::set<std::string> names;
    for (const Parameter& item : merged.items()) {
        fuzz::require(names.insert(item.name).second, "a merged list names each parameter once");
        const Parameter* override = find(overrides, item.name);
        const Parameter* fallback = find(defaults, item.name);
        fuzz::require(override ? *override == item : fallback && *fallback == item,
                      "an override wins by name and every other default stays");
    }
    for (const ParameterList* list : {&defaults, &overrides}) {
        for (const Parameter& item : list->items()) {
            fuzz::require(names.contains(item.name), "a merge drops no parameter");
        }
    }
    merged.checkDeclared(module, names);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ParameterList defaults;
    ParameterList overrides;
    ParameterList raw; // each field as a bare name and as a value, unparsed
    ParameterList* target = &defaults;
    for (const std::string_view field : fuzz::fieldsOf(fuzz::textOf(data, size))) {
        if (field.empty()) {
            target = &overrides;
            continue;
        }
        if (const auto parameter = fuzz::parsedOrRefused(ErrorKind::InvalidArgument, [&] {
                return ParameterList::parseAssignment(module, field);
            })) {
            setOrRefuse(*target, *parameter);
        }
        setOrRefuse(raw, {std::string(field), std::nullopt});
        setOrRefuse(raw, {"value", std::string(field)});
    }
    const ParameterList merged = defaults.mergedWith(module, overrides);
    checkMerge(defaults, overrides, merged);
    for (const ParameterList* list :
         std::initializer_list<const ParameterList*>{&defaults, &overrides, &merged, &raw}) {
        fuzz::require(fuzz::splitLikeTheKernel(list->kernelString()) == list->items(),
                      "the kernel reads exactly the parameters of the list");
    }
    return 0;
}

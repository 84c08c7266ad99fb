#include "Introspection.h"

#include <algorithm>
#include <map>
#include <regex>

namespace kmodd::testing {
namespace {

std::string withoutComments(std::string xml) {
    for (auto start = xml.find("<!--"); start != std::string::npos; start = xml.find("<!--")) {
        const auto end = xml.find("-->", start);
        xml.erase(start, end == std::string::npos ? std::string::npos : end + 3 - start);
    }
    return xml;
}

std::map<std::string, std::string> attributes(const std::string& text) {
    static const std::regex attribute(R"re(([A-Za-z_:]+)\s*=\s*(?:"([^"]*)"|'([^']*)'))re");
    std::map<std::string, std::string> result;
    for (std::sregex_iterator it(text.begin(), text.end(), attribute), end; it != end; ++it) {
        result[(*it)[1]] = (*it)[2].matched ? (*it)[2].str() : (*it)[3].str();
    }
    return result;
}

} // namespace

std::vector<std::string> interfaceMembers(const std::string& xml, const std::string& interface) {
    static const std::regex tag(R"re(<\s*(/?)\s*([A-Za-z_:]+)([^>]*?)(/?)\s*>)re");
    const std::string text = withoutComments(xml);

    std::vector<std::string> members;
    bool inInterface = false;
    std::string kind;
    std::string name;
    std::string inputs;
    std::string outputs;
    auto finishMember = [&] {
        if (kind == "method") {
            members.push_back("method " + name + "(" + inputs + ") -> (" + outputs + ")");
        } else if (kind == "signal") {
            members.push_back("signal " + name + "(" + outputs + ")");
        }
        kind.clear();
    };

    for (std::sregex_iterator it(text.begin(), text.end(), tag), end; it != end; ++it) {
        const bool closing = (*it)[1].matched && (*it)[1].length() > 0;
        const bool selfClosing = (*it)[4].length() > 0;
        const std::string element = (*it)[2];
        auto values = attributes((*it)[3]);

        if (element == "interface") {
            inInterface = !closing && values["name"] == interface;
        } else if (!inInterface) {
            continue;
        } else if (element == "method" || element == "signal") {
            if (closing) {
                finishMember();
            } else {
                kind = element;
                name = values["name"];
                inputs.clear();
                outputs.clear();
                if (selfClosing) {
                    finishMember();
                }
            }
        } else if (element == "arg" && !closing) {
            const bool input = kind == "method" && values["direction"] != "out";
            (input ? inputs : outputs) += values["type"];
        } else if (element == "property" && !closing) {
            members.push_back("property " + values["name"] + " " + values["type"] + " " +
                              values["access"]);
        }
    }
    std::sort(members.begin(), members.end());
    return members;
}

} // namespace kmodd::testing

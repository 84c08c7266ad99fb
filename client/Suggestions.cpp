#include "Suggestions.h"

#include "Underscores.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>

namespace kmodctl {
namespace {

using kmodd::withUnderscores;

std::string comparable(std::string_view name) {
    std::string text = withUnderscores(name);
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// Damerau-Levenshtein distance, optimal string alignment variant: a swap of two neighbouring
// letters ("dumym") is one typo, not two.
std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) {
        d[i][0] = i;
    }
    for (std::size_t j = 0; j <= b.size(); ++j) {
        d[0][j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t substitution = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + substitution});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

// "kernel/sound/snd-dummy.ko.xz: deps" -> "snd_dummy"; empty for a line that names no module.
std::string moduleNameOfLine(std::string_view line) {
    std::string_view path = line.substr(0, line.find(':'));
    path.remove_prefix(std::min(path.size(), path.rfind('/') + 1));
    const std::size_t suffix = path.find(".ko");
    if (suffix == std::string_view::npos || suffix == 0) {
        return "";
    }
    return withUnderscores(path.substr(0, suffix));
}

} // namespace

std::vector<std::string> closeNames(std::string_view typed,
                                    const std::vector<std::string>& candidates, std::size_t limit) {
    const std::string typedName = withUnderscores(typed);
    const std::string wanted = comparable(typed);
    const std::size_t bound = std::max<std::size_t>(1, wanted.size() / 3);
    std::vector<std::pair<std::size_t, std::string>> close;
    for (const std::string& candidate : candidates) {
        const std::string name = comparable(candidate);
        const std::size_t lengthDifference =
            name.size() > wanted.size() ? name.size() - wanted.size() : wanted.size() - name.size();
        if (lengthDifference > bound || withUnderscores(candidate) == typedName) {
            continue;
        }
        if (const std::size_t distance = editDistance(wanted, name); distance <= bound) {
            close.emplace_back(distance, candidate);
        }
    }
    std::sort(close.begin(), close.end());
    std::vector<std::string> names;
    for (std::size_t i = 0; i < close.size() && names.size() < limit; ++i) {
        names.push_back(close[i].second);
    }
    return names;
}

std::vector<std::string> moduleNamesIn(const std::filesystem::path& moduleDirectory) {
    std::set<std::string> names;
    for (const char* index : {"modules.dep", "modules.builtin"}) {
        std::ifstream file(moduleDirectory / index);
        for (std::string line; std::getline(file, line);) {
            if (std::string name = moduleNameOfLine(line); !name.empty()) {
                names.insert(std::move(name));
            }
        }
    }
    return {names.begin(), names.end()};
}

std::string didYouMean(const std::vector<std::string>& names) {
    if (names.empty()) {
        return "";
    }
    std::string text = "did you mean " + names.front();
    for (std::size_t i = 1; i < names.size(); ++i) {
        text += (i + 1 == names.size() ? " or " : ", ") + names[i];
    }
    return text + "?";
}

} // namespace kmodctl

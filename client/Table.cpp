#include "Table.h"

#include <algorithm>

namespace kmodctl {
namespace {

std::string formatLine(const std::vector<Column>& columns, const std::vector<std::size_t>& widths,
                       const std::vector<std::string>& cells, bool heading) {
    std::string line;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const std::string padding(widths[i] - cells[i].size(), ' ');
        const std::string cell =
            heading || !columns[i].paint ? cells[i] : columns[i].paint(cells[i]);
        line += (i == 0 ? "" : "  ");
        line += columns[i].alignRight ? padding + cell : cell + padding;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    return line + "\n";
}

} // namespace

std::string formatTable(const std::vector<Column>& columns,
                        const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::string> headings;
    std::vector<std::size_t> widths;
    for (const Column& column : columns) {
        headings.push_back(column.heading);
        widths.push_back(column.heading.size());
    }
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < columns.size(); ++i) {
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    std::string table = formatLine(columns, widths, headings, true);
    for (const auto& row : rows) {
        table += formatLine(columns, widths, row, false);
    }
    return table;
}

} // namespace kmodctl

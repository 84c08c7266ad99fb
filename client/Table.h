#pragma once

#include <functional>
#include <string>
#include <vector>

namespace kmodctl {

struct Column {
    std::string heading;
    bool alignRight = false;
    /// Wraps each cell of the column (not the heading) once its width is counted, e.g. in
    /// colour escapes; none leaves the cells as they are.
    std::function<std::string(const std::string&)> paint{};
};

/// A table as `lsmod` and `systemctl list-units` print one: a heading line, then one line per
/// row, columns two spaces apart and padded to their widest cell, no trailing spaces. Every row
/// has one cell per column.
std::string formatTable(const std::vector<Column>& columns,
                        const std::vector<std::vector<std::string>>& rows);

} // namespace kmodctl

// CSV cells as every writer of mgscope prints them: RFC-4180 quoting, numbers in %g with a
// chosen number of significant digits, and an empty cell for NaN (a value that was not measured).
#pragma once
#include <string>
#include <vector>

#include "fitting/base/text_file.hpp"  // number_text

namespace mgscope {

// The text itself, or quoted ("" for a quote) when it holds a comma, quote or line break.
std::string csv_field(const std::string& text);

// A list in one cell (a row's warnings): the items with " | " between them, then quoted as
// csv_field; "" for none.
std::string csv_list(const std::vector<std::string>& items);

// `v` with `digits` significant digits; "" when NaN or infinite.
std::string csv_number(double v, int digits = 10);

}  // namespace mgscope

// Tables of (label, temperature, field, value) rows for power-law fits across alloys, e.g.
// shared/data/reference/gd_mg_mce_reference.csv, and the user's row selection on them.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mgscope {

struct PowerLawColumns {
  std::string label = "composition";
  std::string x = "T_K";                  // the power law's x (Tp or Tc)
  std::string y = "minus_dSm_max_JkgK";   // the power law's y
  std::string field = "mu0H_T";           // optional column; selection by field needs it
};

struct PowerLawRow {
  std::size_t line = 0;  // 1-based line in the file
  std::string label, x_text, y_text, field_text;
  double x = 0, y = 0, field = 0;  // NaN where the cell is empty or not a plain number ("211-217", "5?")
  // Why the row's fields cannot be trusted, or "": more fields than the header names (an unquoted
  // separator inside a label moved every cell after it: "GdAlCo x=0,1,2,150,4.5" read as x 1, y 2).
  std::string malformed;
};

struct PowerLawTable {
  std::string path;
  PowerLawColumns columns;
  bool has_field = false;
  std::vector<PowerLawRow> rows;
};

// Throws InputError naming the file when it cannot be read or lacks the x, y or label column.
PowerLawTable read_power_law_table(const std::string& path, const PowerLawColumns& columns = {});

struct RowSelection {
  std::string match;                 // ECMAScript regex searched in the label; empty: every row
  std::vector<std::string> exclude;  // rows whose label matches any of these are dropped
  std::optional<double> field;       // keep rows whose field equals this (within 1e-6)
  std::optional<double> x_min, x_max;  // keep x_min <= x <= x_max
};

struct SelectedRows {
  std::vector<std::size_t> used;                              // indices into table.rows
  std::vector<std::pair<std::size_t, std::string>> skipped;   // matched the pattern but unusable: why
  std::size_t not_matching = 0;                               // dropped by match/exclude/field/range
};

// Labels longer than this are skipped with a reason instead of matched (the standard regex
// engine recurses per character and would overflow the stack).
inline constexpr std::size_t kMaxLabelChars = 1000;

// Throws InputError for a regex that does not compile, or a field selection on a table without
// a field column.
SelectedRows select_rows(const PowerLawTable& table, const RowSelection& selection);

}  // namespace mgscope

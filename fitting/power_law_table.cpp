// Reading the across-alloy table and selecting rows by label pattern, field and x range;
// every dropped row that matched the pattern is reported with its reason.
#include "fitting/power_law_table.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <regex>

#include "fitting/base/error.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

namespace {

// A plain number or NaN: literature cells hold ranges ("211-217"), "~400", "5?" or nothing.
double plain_number(const std::string& s) {
  const std::string t = trim(s);
  if (t.empty()) return std::numeric_limits<double>::quiet_NaN();
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  return end != t.c_str() && *end == '\0' && std::isfinite(v) ? v : std::numeric_limits<double>::quiet_NaN();
}

std::regex compile(const std::string& pattern, const std::string& what) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw InputError(what + " '" + pattern + "' is not a valid regular expression: " + e.what());
  }
}

}  // namespace

PowerLawTable read_power_law_table(const std::string& path, const PowerLawColumns& columns) {
  const TextFile tf = read_text_file(path);
  PowerLawTable t;
  t.path = path;
  t.columns = columns;
  std::size_t header = 0;
  while (header < tf.lines.size() && (trim(tf.lines[header]).empty() || trim(tf.lines[header])[0] == '#')) ++header;
  if (header == tf.lines.size()) fail_input(path, "empty table");
  const char delim = guess_delimiter(tf.lines[header]);
  auto names = split_fields(tf.lines[header], delim);
  for (auto& n : names) n = trim(n);
  auto find = [&](const std::string& n) -> long {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == n) return static_cast<long>(i);
    return -1;
  };
  const long cl = find(columns.label), cx = find(columns.x), cy = find(columns.y), cf = find(columns.field);
  for (const auto& [idx, name] : {std::pair{cl, columns.label}, std::pair{cx, columns.x}, std::pair{cy, columns.y}})
    if (idx < 0) fail_input(path, "line " + std::to_string(header + 1) + ": no column '" + name + "'");
  t.has_field = cf >= 0;
  for (std::size_t i = header + 1; i < tf.lines.size(); ++i) {
    if (trim(tf.lines[i]).empty()) continue;
    auto f = split_fields(tf.lines[i], delim);
    PowerLawRow r;
    if (f.size() > names.size())
      r.malformed = std::to_string(f.size()) + " fields where the header names " + std::to_string(names.size()) +
                    ": a separator inside a field (quote the field) would move every cell after it";
    f.resize(std::max(f.size(), names.size()));
    r.line = i + 1;
    r.label = trim(f[static_cast<std::size_t>(cl)]);
    r.x_text = trim(f[static_cast<std::size_t>(cx)]);
    r.y_text = trim(f[static_cast<std::size_t>(cy)]);
    r.field_text = cf >= 0 ? trim(f[static_cast<std::size_t>(cf)]) : "";
    r.x = plain_number(r.x_text);
    r.y = plain_number(r.y_text);
    r.field = plain_number(r.field_text);
    t.rows.push_back(std::move(r));
  }
  if (t.rows.empty()) fail_input(path, "no rows after the header");
  return t;
}

SelectedRows select_rows(const PowerLawTable& t, const RowSelection& s) {
  if (s.field && !t.has_field)
    fail_input(t.path, "selection by field needs a '" + t.columns.field + "' column");
  const std::regex match = compile(s.match.empty() ? std::string(".*") : s.match, "pattern");
  std::vector<std::regex> exclude;
  for (const auto& e : s.exclude) exclude.push_back(compile(e, "exclude pattern"));
  SelectedRows out;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const auto& r = t.rows[i];
    // libstdc++'s regex matcher recurses once per character: a 50,000-character label
    // overflows the stack. Real alloy labels are short, so a longer one is reported, not matched.
    if (r.label.size() > kMaxLabelChars) {
      out.skipped.emplace_back(i, "label of " + std::to_string(r.label.size()) + " characters is longer than the " +
                                      std::to_string(kMaxLabelChars) + " matched by --match");
      continue;
    }
    bool keep = std::regex_search(r.label, match);
    for (const auto& e : exclude) keep = keep && !std::regex_search(r.label, e);
    if (!keep) {
      ++out.not_matching;
      continue;
    }
    if (!r.malformed.empty()) {
      out.skipped.emplace_back(i, r.malformed);
      continue;
    }
    if (s.field) {
      if (std::isnan(r.field)) {
        out.skipped.emplace_back(i, t.columns.field + " '" + r.field_text + "' is not a number");
        continue;
      }
      if (std::abs(r.field - *s.field) > 1e-6) {
        ++out.not_matching;
        continue;
      }
    }
    if (std::isnan(r.x)) {
      out.skipped.emplace_back(i, t.columns.x + " '" + r.x_text + "' is not a number");
      continue;
    }
    if (std::isnan(r.y)) {
      out.skipped.emplace_back(i, t.columns.y + " '" + r.y_text + "' is not a number");
      continue;
    }
    if (!(r.x > 0 && r.y > 0)) {
      out.skipped.emplace_back(i, "x and y must be > 0 for a log-log fit");
      continue;
    }
    if ((s.x_min && r.x < *s.x_min) || (s.x_max && r.x > *s.x_max)) {
      ++out.not_matching;
      continue;
    }
    out.used.push_back(i);
  }
  return out;
}

}  // namespace mgscope

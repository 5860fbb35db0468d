// Quantum Design .dat reader: rules of formats.md 3.2 (header INFO both ways round, [Data]
// found by its first field, RFC-4180 cells, column aliases, sentinel cells).
#include "magnetics/io/qd_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <sstream>
#include <tuple>

#include "fitting/base/error.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Fields of one line, trimmed, without the empty trailing fields a spreadsheet pads lines with.
std::vector<std::string> trimmed_fields(const std::string& line, char delim) {
  auto f = split_fields(line, delim);
  for (auto& s : f) s = trim(s);
  while (f.size() > 1 && f.back().empty()) f.pop_back();
  return f;
}

// An INFO key: upper-case letters, digits and '_' (an optional " (unit)" suffix allowed), with an
// underscore or one of the legacy MPMS-XL keys, so that a value like "MMC721" is not taken for one.
bool key_like(const std::string& s) {
  const std::string stem = s.substr(0, s.find(" ("));
  if (stem.empty() || !std::isupper(static_cast<unsigned char>(stem[0]))) return false;
  for (char c : stem)
    if (!(std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  static const char* const kLegacy[] = {"APPNAME", "WEIGHT", "AREA", "LENGTH", "NAME", "VOLUME", "COMMENT"};
  return stem.find('_') != std::string::npos ||
         std::any_of(std::begin(kLegacy), std::end(kLegacy), [&](const char* k) { return stem == k; });
}

std::string join(const std::vector<std::string>& f, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to; ++i) out += (i > from ? "," : "") + f[i];
  return trim(out);
}

bool contains(const std::vector<std::string>& names, const std::string& n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

struct MomentChoice {
  const char* moment;
  const char* error;
};
// Auto-pick order (formats.md 3.1): DC Free -> DC Fixed -> VSM Moment -> MPMS-XL Long -> generic.
// Each name also stands for its stem with any moment unit (present_spelling), its factor to emu
// taken from the unit (an MPMS3 export in SI writes every one of them in A m2).
const MomentChoice kMomentOrder[] = {
    {"DC Moment Free Ctr (emu)", "DC Moment Err Free Ctr (emu)"},
    {"DC Moment Fixed Ctr (emu)", "DC Moment Err Fixed Ctr (emu)"},
    {"Moment (emu)", "M. Std. Err. (emu)"},
    {"Long Moment (emu)", "Long Scan Std Dev"},
    {"M_emu", "M_err_emu"},
    {"Moment (Am2)", "M. Std. Err. (Am2)"},
};

// "'DC Moment Free Ctr (emu)', ..., 'Moment (Am2)'": the names the auto-pick looks for.
std::string accepted_moment_names() {
  std::string names;
  for (const auto& m : kMomentOrder) names += std::string(names.empty() ? "'" : ", '") + m.moment + "'";
  return names;
}

// The unit a column name ends with: "(A m2)" or "[emu]", else the identifier suffix "_emu" of
// the generic CSV style; "" when the name states none.
std::string unit_in_name(const std::string& name) {
  const std::string t = trim(name);
  if (!t.empty() && (t.back() == ')' || t.back() == ']')) {
    const char open = t.back() == ')' ? '(' : '[';
    const std::size_t at = t.rfind(open);
    if (at != std::string::npos) return trim(std::string_view(t).substr(at + 1, t.size() - at - 2));
  }
  const std::size_t underscore = t.rfind('_');
  return underscore == std::string::npos ? std::string() : t.substr(underscore + 1);
}

// The name without the unit unit_in_name finds: "Moment" for "Moment (A m2)" and for "Moment_Am2".
std::string name_stem(const std::string& name) {
  const std::string t = trim(name);
  if (unit_in_name(t).empty()) return t;
  const char close = t.back();
  const std::size_t at = close == ')' ? t.rfind('(') : close == ']' ? t.rfind('[') : t.rfind('_');
  return trim(std::string_view(t).substr(0, at));
}

// A unit written any of the ways people write it ("A m2", "Am2", "A·m²", "A*m^2", "EMU") in one
// spelling: lower case, no spaces, dots or powers signs, superscript two as "2".
std::string normalised_unit(const std::string& unit) {
  std::string u;
  for (std::size_t i = 0; i < unit.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(unit[i]);
    if (c == 0xC2 && i + 1 < unit.size() && static_cast<unsigned char>(unit[i + 1]) == 0xB2) {  // UTF-8 superscript 2
      u += '2';
      ++i;
    } else if (c == 0xC2 && i + 1 < unit.size() && static_cast<unsigned char>(unit[i + 1]) == 0xB7) {  // middle dot
      ++i;
    } else if (c == 0xE2 && i + 2 < unit.size() && unit.compare(i, 3, "\xE2\x8B\x85") == 0) {  // dot operator
      i += 2;
    } else if (!(c == ' ' || c == '*' || c == '^' || c == '.')) {
      u += static_cast<char>(std::tolower(c));
    }
  }
  return u;
}

struct MomentUnit {
  const char* spelling;  // normalised_unit form
  double to_emu;
};
// 1 A m^2 = 1000 emu (docs/magnetics.md, Units).
const MomentUnit kMomentUnits[] = {{"emu", 1.0}, {"memu", 1e-3}, {"\xC2\xB5" "emu", 1e-6}, {"uemu", 1e-6},
                                   {"am2", 1e3}, {"mam2", 1.0}};

// The factor to emu of a moment unit as a column name states it ("A m2", "memu"), if it is one.
std::optional<double> moment_unit_to_emu(const std::string& column) {
  const std::string u = normalised_unit(unit_in_name(column));
  for (const auto& m : kMomentUnits)
    if (u == m.spelling) return m.to_emu;
  return std::nullopt;
}

// The factor that turns the column the user named into emu, from the unit its name states. A unit
// that is not a moment (a pressure, emu/g, emu/Oe) is refused: read as emu it gave numbers wrong
// by orders of magnitude with no word. A name without a unit is read as emu, with a warning.
double named_column_to_emu(QdData& d, const std::string& column) {
  const std::string unit = unit_in_name(column);
  if (unit.empty()) {
    d.warnings.push_back(d.path + ": moment column '" + column + "' names no unit; its values are read as emu");
    return 1.0;
  }
  if (const auto to_emu = moment_unit_to_emu(column)) return *to_emu;
  const std::string u = normalised_unit(unit);
  for (const auto& m : kMomentUnits)
    if (u.rfind(std::string(m.spelling) + "/", 0) == 0) {
      const std::string per = trim(unit.substr(unit.find('/') + 1));
      fail_input(d.path, "moment column '" + column + "': its unit '" + unit + "' is a moment per " + per +
                             ", not a magnetic moment; give a column in emu, memu or A m2 (mgscope divides by "
                             "the sample mass itself)");
    }
  fail_input(d.path, "moment column '" + column + "': its unit '" + unit +
                         "' is not a magnetic moment (emu, memu or A m2; rule of docs/magnetics.md)");
}

// `f`: trimmed fields without trailing empties (for the key); `raw`: the same fields untrimmed, so a
// value with commas inside keeps its spacing ("(1.98, 1.99, 2.70)").
void parse_info_line(QdData& d, const std::vector<std::string>& f, const std::vector<std::string>& raw) {
  if (f.size() < 2) return;
  if (f.size() == 2) {
    d.info.emplace_back(f[1], "");
    return;
  }
  if (key_like(f[1]) && !key_like(f.back())) d.info.emplace_back(f[1], join(raw, 2, f.size()));  // MPMS-XL
  else d.info.emplace_back(f.back(), join(raw, 1, f.size() - 1));                              // MPMS3, PPMS
}

// A header value or a cell as one finite number (strict_number's rule) in the file's decimal mark.
std::optional<double> number_in_file(const QdData& d, std::string text) {
  if (d.decimal == ',' && text.find('.') == std::string::npos) std::replace(text.begin(), text.end(), ',', '.');
  return strict_number(text);
}

}  // namespace

std::string unusual_mass_warning(double mass_mg, const std::string& what) {
  if (!(mass_mg > 0) || (mass_mg >= kQdUsualMinMass_mg && mass_mg <= kQdUsualMaxMass_mg)) return "";
  std::ostringstream m;
  m << what << ' ' << mass_mg << " read in mg: " << (mass_mg < kQdUsualMinMass_mg ? "below " : "above ")
    << (mass_mg < kQdUsualMinMass_mg ? kQdUsualMinMass_mg : kQdUsualMaxMass_mg)
    << " mg, outside what an MPMS sample weighs (0.1 mg to 2 g); if it was entered in "
    << (mass_mg < kQdUsualMinMass_mg ? "g" : "ug") << ", the mass is "
    << (mass_mg < kQdUsualMinMass_mg ? mass_mg * 1e3 : mass_mg * 1e-3) << " mg"
    << " and every per-gram number (M, -dSm, RCP) is off by 1000: give --mass in mg";
  return m.str();
}

namespace {

// Mass from SAMPLE_MASS (mg), else legacy WEIGHT (mg); a zero, negative or unreadable value is no
// mass at all (with a warning), never a default.
void set_mass(QdData& d) {
  for (const char* key : {"SAMPLE_MASS", "WEIGHT"}) {
    auto v = d.info_value(key);
    if (!v || v->empty()) continue;
    const std::optional<double> number = number_in_file(d, *v);
    const double mg = number.value_or(0);
    if (!number) {
      d.warnings.push_back(d.path + ": header " + key + " '" + *v + "' is not a number; mass unknown");
    } else if (mg == 0) {
      d.warnings.push_back(d.path + ": header " + key + " is " + *v + " mg; mass unknown");
    } else if (!(mg >= kQdMinMass_mg && mg <= kQdMaxMass_mg)) {
      fail_input(d.path, "header " + std::string(key) + " is " + *v +
                             " mg; a sample mass lies within 1 ug to 100 g (rule of docs/magnetics.md)");
    } else {
      d.sample_mass_mg = mg;
      if (const std::string w = unusual_mass_warning(mg, "header " + std::string(key)); !w.empty())
        d.warnings.push_back(d.path + ": " + w);
    }
    return;
  }
}

// The layout rule of formats.md 3.2, shared by the detector and the reader: a line whose first
// field is [Data] (any case), else (no [Data]) a column line among the first 200 that a bare
// MPMS-XL CSV or the generic CSV is recognised by.
struct QdLayout {
  std::size_t data_marker = std::string::npos;  // the [Data] line
  std::size_t column_line = std::string::npos;  // the column names; npos when none
  const char* variant = "";                     // set for the files without [Data]
};

QdLayout find_qd_layout(const std::vector<std::string>& L) {
  QdLayout out;
  for (std::size_t i = 0; i < L.size(); ++i) {
    const auto f = trimmed_fields(L[i], guess_delimiter(L[i]));
    if (!f.empty() && upper(f[0]) == "[DATA]") {
      out.data_marker = i;
      for (std::size_t j = i + 1; j < L.size() && out.column_line == std::string::npos; ++j)
        if (!trim(L[j]).empty()) out.column_line = j;
      return out;
    }
  }
  for (std::size_t i = 0; i < L.size() && i < 200; ++i) {
    const std::string t = trim(L[i]);
    if (t.empty() || t[0] == '#') continue;
    const auto f = trimmed_fields(L[i], guess_delimiter(L[i]));
    if (contains(f, "Long Moment (emu)") && contains(f, "Long Scan Std Dev")) out.variant = "bare MPMS CSV";
    else if (contains(f, "T_K") && contains(f, "H_Oe") && contains(f, "M_emu")) out.variant = "generic CSV";
    else continue;
    out.column_line = i;
    return out;
  }
  return out;
}

// Where the column line is (find_qd_layout), or an error that says which rule failed.
std::size_t locate_columns(QdData& d, const TextFile& tf) {
  const QdLayout layout = find_qd_layout(tf.lines);
  if (layout.data_marker != std::string::npos && layout.column_line == std::string::npos)
    fail_input(d.path, "line " + std::to_string(layout.data_marker + 1) + ": [Data] is not followed by a column line");
  if (layout.column_line == std::string::npos)
    fail_input(d.path,
               "not a Quantum Design export: no [Data] line, and no column line with 'Long Moment (emu)' + "
               "'Long Scan Std Dev' or the generic T_K,H_Oe,M_emu");
  if (*layout.variant) d.variant = layout.variant;
  return layout.column_line;
}

void parse_header(QdData& d, const TextFile& tf, std::size_t column_line) {
  for (std::size_t i = 0; i < column_line; ++i) {
    const std::string t = trim(tf.lines[i]);
    if (t.empty() || t[0] == ';' || upper(t).rfind("[HEADER]", 0) == 0 || upper(t).rfind("[DATA]", 0) == 0) continue;
    if (t[0] == '#') {  // generic CSV: "# sample_mass_mg = 12.5"
      const auto eq = t.find('=');
      if (eq != std::string::npos) {
        std::string key = trim(std::string_view(t).substr(1, eq - 1));
        const std::string value = trim(std::string_view(t).substr(eq + 1));
        if (key == "sample_mass_mg") key = "SAMPLE_MASS";
        d.info.emplace_back(key, value);
      }
      continue;
    }
    const char delim = guess_delimiter(tf.lines[i]);
    const auto f = trimmed_fields(tf.lines[i], delim);
    if (upper(f[0]) == "INFO") parse_info_line(d, f, split_fields(tf.lines[i], delim));
    else d.header.emplace_back(f[0], join(f, 1, f.size()));
  }
}

void set_variant(QdData& d) {
  if (!d.variant.empty()) return;
  std::string byapp;
  for (const auto& [tag, rest] : d.header)
    if (upper(tag) == "BYAPP") byapp = rest;
  if (byapp.find("VSM") != std::string::npos) d.variant = "PPMS VSM";
  else if (byapp.find("MPMS3") != std::string::npos) d.variant = "MPMS3";
  else if (byapp.find("MPMS") != std::string::npos || contains(d.column_names, "Long Moment (emu)"))
    d.variant = "MPMS-XL";
  else d.variant = "unknown QD";
}

// A field column: one of these names (any case), its unit in parentheses, brackets or after '_'
// ("\x30" is the '0' after the micro and mu signs, written so that it ends their hex escapes).
const char* const kFieldStems[] = {"Magnetic Field", "Field",        "H", "mu0H", "mu0 H", "\xC2\xB5\x30H",
                                   "\xCE\xBC\x30H",  "Applied Field"};

struct FieldUnit {
  const char* spelling;  // normalised_unit form
  double to_Oe;
};
// 1 T = 10^4 Oe (mu0 H in T for the field: B = mu0 H in vacuum); 1 A/m = 4 pi / 1000 Oe (SI H).
constexpr double kPi = 3.14159265358979323846;
const FieldUnit kFieldUnits[] = {{"oe", 1.0}, {"koe", 1e3}, {"t", 1e4}, {"mt", 10.0}, {"a/m", 4e-3 * kPi}};

// The field column and its factor to Oe: 'Magnetic Field (Oe)', 'Field (Oe)', 'H_Oe' first, then a
// field name in T, mT, kOe or A/m (exports in SI write 'Magnetic Field (T)', and were refused as
// having no field column). A field name in another unit is refused naming it: read as Oe, a field
// in G/cm or in emu would give numbers wrong by orders of magnitude.
std::pair<std::string, double> field_column(const QdData& d) {
  for (const char* n : {"Magnetic Field (Oe)", "Field (Oe)", "H_Oe"})
    if (d.column_index(n) != std::string::npos) return {n, 1.0};
  std::string unknown;
  for (const char* stem : kFieldStems)
    for (const std::string& column : d.column_names) {
      if (upper(name_stem(column)) != upper(stem) || unit_in_name(column).empty()) continue;
      const std::string u = normalised_unit(unit_in_name(column));
      for (const auto& f : kFieldUnits)
        if (u == f.spelling) return {column, f.to_Oe};
      if (unknown.empty()) unknown = column;
    }
  if (!unknown.empty())
    fail_input(d.path, d.at_columns() + "field column '" + unknown + "' has unit '" + unit_in_name(unknown) +
                           "'; expected Oe, T, mT, kOe or A/m (rule of docs/magnetics.md)");
  fail_input(d.path, d.at_columns() +
                         "no field column ('Magnetic Field (Oe)', 'Field (Oe)' or 'H_Oe', or a field in T, mT, kOe "
                         "or A/m)");
}

std::string first_present(const QdData& d, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (d.column_index(n) != std::string::npos) return n;
  return {};
}

bool has_number(const QdData& d, std::size_t col) {
  for (std::size_t r = 0; r < d.rows.size(); ++r) {
    const std::optional<double> v = number_in_file(d, std::string(d.rows.cell(r, col)));
    if (v && *v != kQdSentinel) return true;
  }
  return false;
}

// The column the auto-pick entry `name` stands for: the name itself, else a column with the same
// stem in any moment unit however it is spelled ("Moment (A m2)", "Moment [A·m²]", "DC Moment Free
// Ctr (Am2)" for "... (emu)"): exports from other software, and MPMS3 exports in SI, re-spell the
// unit, and were refused as having no moment. A name without a unit stands for itself only.
std::string present_spelling(const QdData& d, const std::string& name) {
  if (d.column_index(name) != std::string::npos) return name;
  if (unit_in_name(name).empty()) return {};
  for (const std::string& column : d.column_names)
    if (moment_unit_to_emu(column) && name_stem(column) == name_stem(name)) return column;
  return {};
}

// "; line 42, column 'Moment (emu)': '0,73' is not a number ...": the first cell of `column` that
// is not empty and not a number, for a message that a column holds no numbers (it named no place,
// and a file with decimal commas was refused without a word about them).
std::string first_unread_cell(const QdData& d, const std::string& column) {
  const std::size_t c = d.column_index(column);
  for (std::size_t r = 0; r < d.rows.size(); ++r) {
    const std::string cell = trim(d.rows.cell(r, c));
    if (cell.empty()) continue;
    const std::size_t comma = cell.find(',');
    const bool decimal_comma = comma != std::string::npos && comma > 0 && comma + 1 < cell.size() &&
                               std::isdigit(static_cast<unsigned char>(cell[comma - 1])) &&
                               std::isdigit(static_cast<unsigned char>(cell[comma + 1]));
    return "; line " + std::to_string(d.row_line[r]) + ", column '" + column + "': '" + cell + "' is not a number" +
           (decimal_comma ? " (a decimal comma is read only where the cells are separated by ';' or tabs and the "
                            "numbers write no decimal point)"
                          : "");
  }
  return "";
}

// A column that may hold the moment, with its error column ("" when none) and their factors to emu.
struct MomentSource {
  std::string moment, error;
  double to_emu = 1.0, error_to_emu = 1.0;
};

// The error column of the auto-pick entry whose moment is `column` (in its own unit: a name
// without one, 'Long Scan Std Dev', is in emu), or none.
void add_error_column(const QdData& d, MomentSource& s) {
  for (const auto& m : kMomentOrder) {
    if (present_spelling(d, m.moment) != s.moment) continue;
    s.error = present_spelling(d, m.error);
    if (!s.error.empty()) s.error_to_emu = moment_unit_to_emu(s.error).value_or(1.0);
    return;
  }
}

// The column the user named, in the unit its name states.
MomentSource named_moment_source(QdData& d, const std::string& column) {
  const std::size_t c = d.column_index(column);
  if (c == std::string::npos)
    fail_input(d.path, d.at_columns() + "no moment column named '" + column +
                           "' (--moment-column takes a column's exact name)");
  if (!has_number(d, c))
    fail_input(d.path, "moment column '" + column + "' holds no numbers" + first_unread_cell(d, column));
  MomentSource s{column, "", named_column_to_emu(d, column)};
  add_error_column(d, s);
  return s;
}

// Every auto-pick column that holds a number, in preference order. An MPMS3 sequence may switch
// between DC-scan and VSM measurements: the same sample moment is then written to the DC columns
// in some rows and to `Moment (emu)` in others (formats.md 3.1), so one column alone loses rows.
std::vector<MomentSource> auto_moment_sources(const QdData& d) {
  std::vector<MomentSource> sources;
  std::vector<std::string> seen;  // 'Moment (Am2)' is found by the 'Moment (emu)' entry already
  std::string present, unread;
  for (const auto& m : kMomentOrder) {
    const std::string column = present_spelling(d, m.moment);
    if (column.empty() || contains(seen, column)) continue;
    seen.push_back(column);
    present += std::string(present.empty() ? "'" : ", '") + column + "'";
    if (!has_number(d, d.column_index(column))) {
      if (unread.empty()) unread = first_unread_cell(d, column);
      continue;
    }
    MomentSource s{column, "", moment_unit_to_emu(column).value_or(1.0)};
    add_error_column(d, s);
    sources.push_back(s);
  }
  if (sources.empty())
    fail_input(d.path, present.empty() ? d.at_columns() + "no moment column: none of " + accepted_moment_names() +
                                             "; name another with --moment-column"
                                       : "moment columns " + present + " hold no numbers" + unread +
                                             "; name another with --moment-column");
  return sources;
}

// Beyond these lie garbled numbers and wrong units, not a magnetometer (fields of 5e30 T gave
// entropy changes of 1e31 J/(kg K)): no DC magnet reaches 1000 T (1e7 Oe), a pulsed one 100 T;
// a sample's moment of 1e6 emu is 1e3 A m^2. No temperature reaches 10,000 K in a magnetometer.
void refuse_beyond(const QdData& d, std::size_t row, const std::string& column, double value, double limit,
                   const std::string& rule) {
  if (!(std::fabs(value) > limit)) return;  // NaN (an empty cell) passes
  fail_input(d.path, "line " + std::to_string(d.row_line[row]) + ", column '" + column + "': " +
                         std::string(d.rows.cell(row, d.column_index(column))) + " " + rule +
                         " (a wrong unit or a garbled number; rule of docs/magnetics.md)");
}

// Per row, the moment (and its error) of the first source that holds a number there; the rows
// each source gave are counted in moment_rows_by_column, and a warning says so when more than one
// gave rows.
void read_moment(QdData& d, const std::vector<MomentSource>& sources) {
  const std::size_t n = d.rows.size();
  d.moment_emu.assign(n, kNaN);
  d.moment_error_emu.assign(n, kNaN);
  std::vector<std::size_t> taken(sources.size(), 0);
  for (std::size_t k = 0; k < sources.size(); ++k) {
    const MomentSource& s = sources[k];
    const std::vector<double> m = d.numeric_column(s.moment);
    const std::vector<double> e = s.error.empty() ? std::vector<double>(n, kNaN) : d.numeric_column(s.error);
    for (std::size_t i = 0; i < n; ++i) {
      if (std::isfinite(d.moment_emu[i]) || !std::isfinite(m[i])) continue;
      refuse_beyond(d, i, s.moment, m[i] * s.to_emu, 1e6, "lies beyond +-1e6 emu");
      d.moment_emu[i] = m[i] * s.to_emu;
      d.moment_error_emu[i] = e[i] * s.error_to_emu;
      ++taken[k];
    }
  }
  std::string used;
  for (std::size_t k = 0; k < sources.size(); ++k) {
    if (taken[k] == 0) continue;
    d.moment_rows_by_column.emplace_back(sources[k].moment, taken[k]);
    used += std::string(used.empty() ? "'" : ", '") + sources[k].moment + "' " + std::to_string(taken[k]) + " rows";
  }
  for (std::size_t k = 0; k < sources.size(); ++k)
    if (taken[k] > 0 && sources[k].to_emu != 1.0)
      d.notes.push_back(d.path + ": moment column '" + sources[k].moment + "' is in " +
                        unit_in_name(sources[k].moment) + ": read as emu (x " + number_text(sources[k].to_emu, 6) +
                        ")");
  if (d.moment_rows_by_column.empty()) d.moment_rows_by_column.emplace_back(sources.front().moment, 0);
  d.moment_column = d.moment_rows_by_column.front().first;
  for (const MomentSource& s : sources)
    if (s.moment == d.moment_column) d.moment_error_column = s.error;
  if (d.moment_rows_by_column.size() > 1)
    d.warnings.push_back(d.path + ": the moment comes from " + std::to_string(d.moment_rows_by_column.size()) +
                         " columns, row by row (a sequence mixing DC-scan and VSM measurements): " + used +
                         "; each row takes the first of them that holds a number");
}

void choose_columns(QdData& d, const QdReadOptions& options) {
  d.temperature_column = first_present(d, {"Temperature (K)", "Average Temp (K)", "T_K"});
  if (d.temperature_column.empty())
    fail_input(d.path, d.at_columns() + "no temperature column ('Temperature (K)', 'Average Temp (K)' or 'T_K')");
  double field_to_Oe = 1.0;
  std::tie(d.field_column, field_to_Oe) = field_column(d);
  const std::vector<MomentSource> sources =
      options.moment_column.empty() ? auto_moment_sources(d)
                                    : std::vector<MomentSource>{named_moment_source(d, options.moment_column)};
  d.temperature_K = d.numeric_column(d.temperature_column);
  for (std::size_t i = 0; i < d.rows.size(); ++i)
    if (d.temperature_K[i] <= 0)  // NaN (an empty cell) compares false and passes
      fail_input(d.path, "line " + std::to_string(d.row_line[i]) + ", column '" + d.temperature_column + "': " +
                             std::string(d.rows.cell(i, d.column_index(d.temperature_column))) +
                             " K is at or below 0 K; temperatures are above 0 K (rule of docs/magnetics.md)");
  d.field_Oe = d.numeric_column(d.field_column);
  const std::string field_unit = unit_in_name(d.field_column);
  if (field_to_Oe != 1.0) {
    for (double& h : d.field_Oe) h *= field_to_Oe;
    d.notes.push_back(d.path + ": field column '" + d.field_column + "' is in " + field_unit + ": read as Oe (x " +
                      number_text(field_to_Oe, 6) + ")");
  }
  for (std::size_t i = 0; i < d.rows.size(); ++i) {
    refuse_beyond(d, i, d.temperature_column, d.temperature_K[i], 1e4, "K is above 10,000 K");
    refuse_beyond(d, i, d.field_column, d.field_Oe[i], 1e7, field_unit + " lies beyond +-1e7 Oe (1000 T)");
  }
  read_moment(d, sources);
  std::size_t incomplete = 0;
  for (std::size_t i = 0; i < d.rows.size(); ++i)
    incomplete +=
        !(std::isfinite(d.temperature_K[i]) && std::isfinite(d.field_Oe[i]) && std::isfinite(d.moment_emu[i]));
  std::string moment_names;
  for (const MomentSource& s : sources) moment_names += std::string(moment_names.empty() ? "'" : "' or '") + s.moment;
  if (incomplete > 0)
    d.warnings.push_back(d.path + ": " + std::to_string(incomplete) + " of " + std::to_string(d.rows.size()) +
                         " rows lack a temperature, field or " + moment_names + "' value and are not used");
}

}  // namespace

void QdCells::add_row(const std::vector<std::string>& fields) {
  row_first_.push_back(std::uint32_t(cell_end_.size()));
  for (const std::string& f : fields) {
    text_ += f;
    cell_end_.push_back(std::uint32_t(text_.size()));
  }
}

std::size_t QdCells::cells_in_row(std::size_t row) const {
  const std::size_t next = row + 1 < row_first_.size() ? row_first_[row + 1] : cell_end_.size();
  return next - row_first_[row];
}

std::string_view QdCells::cell(std::size_t row, std::size_t col) const {
  if (col >= cells_in_row(row)) return {};
  const std::size_t k = row_first_[row] + col;
  const std::size_t begin = k == 0 ? 0 : cell_end_[k - 1];
  return std::string_view(text_).substr(begin, cell_end_[k] - begin);
}

std::size_t QdData::column_index(const std::string& name) const {
  const auto it = std::find(column_names.begin(), column_names.end(), name);
  return it == column_names.end() ? std::string::npos : static_cast<std::size_t>(it - column_names.begin());
}

std::vector<double> QdData::numeric_column(const std::string& name) const {
  const std::size_t c = column_index(name);
  if (c == std::string::npos) fail_input(path, "no column named '" + name + "'");
  std::vector<double> v(rows.size(), kNaN);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (c >= rows.cells_in_row(i)) continue;  // a short row: the cell is empty
    const auto x = parse_optional_number(rows.cell(i, c), path, row_line[i], name, decimal);
    if (x && *x != kQdSentinel) v[i] = *x;
  }
  return v;
}

std::optional<std::string> QdData::info_value(const std::string& key) const {
  for (const auto& [k, v] : info)
    if (k == key || k.rfind(key + " (", 0) == 0) return v;
  return std::nullopt;
}

QdData parse_qd_text(const TextFile& tf, const QdReadOptions& options) {
  QdData d;
  d.path = tf.path;
  d.decoded_from_cp1252 = tf.decoded_from_cp1252;
  const std::size_t col_line = locate_columns(d, tf);
  d.column_line = col_line + 1;
  parse_header(d, tf, col_line);
  d.delimiter = guess_delimiter(tf.lines[col_line]);
  d.column_names = trimmed_fields(tf.lines[col_line], d.delimiter);
  d.decimal = detect_decimal_of_rows(tf.lines, col_line + 1, d.delimiter);
  if (d.decimal == ',')
    d.notes.push_back(d.path + ": numbers are written with a decimal comma (the cells are separated by " +
                      (d.delimiter == '\t' ? std::string("tabs") : "'" + std::string(1, d.delimiter) + "'") +
                      "): read as such");
  const std::size_t ncol = d.column_names.size();
  if (ncol > kQdMaxColumns)
    fail_input(d.path, "line " + std::to_string(col_line + 1) + " names " + std::to_string(ncol) +
                           " columns; a Quantum Design export has at most " + std::to_string(kQdMaxColumns));
  for (std::size_t i = col_line + 1; i < tf.lines.size(); ++i) {
    if (trim(tf.lines[i]).empty()) continue;
    auto f = trimmed_fields(tf.lines[i], d.delimiter);
    if (f.size() > ncol)
      fail_input(d.path, "line " + std::to_string(i + 1) + " has " + std::to_string(f.size()) +
                             " fields, the column line has " + std::to_string(ncol));
    d.rows.add_row(f);
    d.row_line.push_back(i + 1);
  }
  if (d.rows.empty())
    fail_input(d.path, "no data rows after the column line (line " + std::to_string(col_line + 1) + ")");
  set_mass(d);
  set_variant(d);
  choose_columns(d, options);
  const std::size_t cc = d.column_index("Comment");
  d.comment.resize(d.rows.size());
  if (cc != std::string::npos)
    for (std::size_t i = 0; i < d.rows.size(); ++i)
      d.comment[i] = std::string(d.rows.cell(i, cc));
  return d;
}

bool looks_like_qd(const std::vector<std::string>& lines) {
  const QdLayout layout = find_qd_layout(lines);
  return layout.data_marker != std::string::npos || layout.column_line != std::string::npos;
}

QdData read_qd_file(const std::string& path, const QdReadOptions& options) {
  return parse_qd_text(read_text_file(path), options);
}

}  // namespace mgscope

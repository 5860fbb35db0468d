// Nanoindentation export readers; facts from ../shared/docs/formats.md section 4.1.
#include "fitting/io/indent_readers.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "fitting/base/error.hpp"
#include "fitting/base/input_file.hpp"
#include "fitting/base/text_file.hpp"
#include "fitting/base/zip_archive.hpp"

namespace mgscope {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool blank(const std::string& line) { return trim(line).empty(); }

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// One row, in the curve's units, once it is plausible: beyond these bounds lie garbled numbers
// and wrong units (1e30 nm, 1e28 mN were fitted as creep), not an indentation: no indenter goes
// 1 mm deep or loads 1 kN. Times may be absolute (seconds since 1970 are 1.7e9): only absurd ones.
constexpr double kMaxDepthNm = 1e6, kMaxLoadMn = 1e6, kMaxTimeS = 1e10;

void add_row(IndentCurve& c, double time_s, double depth_nm, double load_mN, const std::string& path,
             std::size_t line) {
  const auto check = [&](double v, double limit, const char* what, const char* unit, const char* bound) {
    if (std::fabs(v) <= limit) return;
    char text[200];
    std::snprintf(text, sizeof text, "line %zu: %s %.6g %s lies beyond +-%.0e %s (%s): a wrong unit or a garbled "
                  "number", line, what, v, unit, limit, unit, bound);
    fail_input(path, text);
  };
  check(time_s, kMaxTimeS, "time", "s", "over 300 years");
  check(depth_nm, kMaxDepthNm, "depth", "nm", "1 mm");
  check(load_mN, kMaxLoadMn, "load", "mN", "1 kN");
  c.time_s.push_back(time_s);
  c.depth_nm.push_back(depth_nm);
  c.load_mN.push_back(load_mN);
  c.line.push_back(line);
}

// Headerless exports, columns time [s], depth [nm], load [mN]: NanoTest (TAB) and Anton Paar
// (spaces); the separator and the decimal mark are read off the first data line.
IndentCurve parse_nanotest_lines(const TextFile& tf) {
  IndentCurve c;
  c.source = tf.path;
  std::size_t first = 0;
  while (first < tf.lines.size() && blank(tf.lines[first])) ++first;
  if (first == tf.lines.size()) fail_input(tf.path, "no data rows in a NanoTest export");
  const char delim = detect_delimiter(tf.lines[first]);
  const char decimal = detect_decimal_of_rows(tf.lines, first, delim);
  c.format = delim == '\t' ? "nanotest" : "headerless columns";
  for (std::size_t i = first; i < tf.lines.size(); ++i) {
    if (blank(tf.lines[i])) continue;
    const auto f = split_line(tf.lines[i], delim);
    if (f.size() < 3)
      fail_input(tf.path, "line " + std::to_string(i + 1) + ": expected 3 columns (time s, depth nm, load mN) "
                          "separated like the first line, found " + std::to_string(f.size()));
    add_row(c, parse_number(f[0], tf.path, i + 1, "time [s]", decimal),
            parse_number(f[1], tf.path, i + 1, "depth [nm]", decimal),
            parse_number(f[2], tf.path, i + 1, "load [mN]", decimal), tf.path, i + 1);
  }
  return c;
}

// A header label split into lower-case name and unit: "Depth (nm)", "Load [µN]", "Time/s",
// "depth_nm" -> ("depth", "nm").
std::pair<std::string, std::string> name_and_unit(const std::string& label) {
  const std::string t = trim(label);
  for (const auto& [open, close] : {std::pair{'(', ')'}, std::pair{'[', ']'}}) {
    const auto o = t.rfind(open);
    if (!t.empty() && t.back() == close && o != std::string::npos)
      return {lower(trim(t.substr(0, o))), trim(t.substr(o + 1, t.size() - o - 2))};
  }
  for (const char sep : {'/', '_'}) {
    const auto k = t.rfind(sep);
    if (k != std::string::npos && k > 0) return {lower(trim(t.substr(0, k))), trim(t.substr(k + 1))};
  }
  return {lower(t), ""};
}

// Micro sign as U+00B5, U+03BC or a plain 'u'.
std::string unit_ascii(std::string u) {
  for (const char* micro : {"\xC2\xB5", "\xCE\xBC"})
    for (std::size_t p; (p = u.find(micro)) != std::string::npos;) u.replace(p, 2, "u");
  return u;
}

struct Role {
  const char* quantity;
  std::vector<std::string> names;  // exact names, or a prefix when ending with '*'
  std::vector<std::pair<std::string, double>> units;  // unit -> factor to s, nm or mN
};

const Role kTime{"time",
                 {"time", "t", "time*"},
                 {{"s", 1}, {"sec", 1}, {"second", 1}, {"seconds", 1}, {"ms", 1e-3}, {"min", 60}, {"h", 3600}}};
const Role kDepth{"depth",
                  // pd: Anton Paar's penetration depth ("Pd [nm]" beside "Fn [mN]")
                  {"depth", "h", "pd", "displacement", "penetration", "depth*", "displacement*", "indentation depth"},
                  {{"nm", 1}, {"um", 1e3}, {"A", 0.1}, {"\xC3\x85", 0.1}}};  // A, \u00C5: angstrom
const Role kLoad{"load", {"load", "force", "p", "fn", "normal load", "load*", "force*"},
                 {{"mN", 1}, {"uN", 1e-3}, {"N", 1e3}}};

bool name_matches(const std::string& name, const Role& r) {
  for (const auto& n : r.names)
    if (n.back() == '*' ? name.rfind(n.substr(0, n.size() - 1), 0) == 0 : name == n) return true;
  return false;
}

// The role's first column in one of its units (index, factor), if any (an export with "Depth (V)"
// before "Depth (nm)", the raw signal beside the calibrated one, takes the second), and the first
// column of the role's name in another unit, if any.
struct RoleMatch {
  std::optional<std::pair<std::size_t, double>> column;
  std::optional<std::size_t> other_unit;
};

RoleMatch match_role(const std::vector<std::string>& header, const Role& r) {
  RoleMatch m;
  for (std::size_t k = 0; k < header.size(); ++k) {
    const auto [name, unit] = name_and_unit(header[k]);
    if (!name_matches(name, r)) continue;
    for (const auto& [u, factor] : r.units)
      if (unit_ascii(unit) == u) {
        m.column = std::make_pair(k, factor);
        return m;
      }
    if (!m.other_unit) m.other_unit = k;
  }
  return m;
}

// match_role's column; InputError naming the file and the header line when there is none, naming
// the first such column's unit.
std::pair<std::size_t, double> find_column(const std::vector<std::string>& header, const Role& r,
                                           const std::string& path, std::size_t line_no, const char* example) {
  const RoleMatch m = match_role(header, r);
  if (m.column) return *m.column;
  if (const std::optional<std::size_t> other_unit = m.other_unit) {
    std::string expected;
    for (const auto& [u, factor] : r.units) expected += (expected.empty() ? "" : ", ") + u;
    fail_input(path, "line " + std::to_string(line_no) + ": " + r.quantity + " column '" + trim(header[*other_unit]) +
                         "' has unit '" + name_and_unit(header[*other_unit]).second + "'; expected " + expected);
  }
  fail_input(path, "line " + std::to_string(line_no) + ": no " + r.quantity + " column (e.g. " + example +
                       "; the generic CSV has time_s, depth_nm, load_mN)");
}

// "Load (µN)" -> factor to mN; the unit is the text in the last parentheses.
double load_factor_to_mN(const std::string& header, const std::string& path) {
  const auto open = header.rfind('('), close = header.rfind(')');
  const std::string unit = open != std::string::npos && close > open ? header.substr(open + 1, close - open - 1) : "";
  if (unit == "µN" || unit == "uN" || unit == "\xCE\xBCN") return 1e-3;
  if (unit == "mN") return 1;
  if (unit == "N") return 1e3;
  fail_input(path, "load column '" + header + "' has unit '" + unit + "'; expected µN, mN or N");
}

double depth_factor_to_nm(const std::string& header, const std::string& path) {
  const auto open = header.rfind('('), close = header.rfind(')');
  const std::string unit = open != std::string::npos && close > open ? header.substr(open + 1, close - open - 1) : "";
  if (unit == "nm") return 1;
  if (unit == "µm" || unit == "um" || unit == "\xCE\xBCm") return 1e3;
  fail_input(path, "depth column '" + header + "' has unit '" + unit + "'; expected nm or µm");
}

// All members of one archive together (each is also at most kMaxTextFileBytes).
constexpr std::uint64_t kMaxZipUnpackedBytes = std::uint64_t{256} << 20;

// The limits read_nanotest_zip holds a zip to, on the sizes the archive claims: checked before
// anything is allocated, so a small zip declaring a 1 GB member is refused at once (a NanoTest
// member is a text export).
class ZipSizeCheck {
 public:
  explicit ZipSizeCheck(std::string path) : path_(std::move(path)) {}
  void operator()(const std::string& member, std::uint64_t size) {
    if (size > kMaxTextFileBytes)
      fail_input(path_ + ":" + member, "zip member unpacks to " + std::to_string(size) + " bytes, more than the " +
                                           std::to_string(kMaxTextFileBytes >> 20) + " MiB accepted for a text export");
    unpacked_bytes_ += size;
    if (unpacked_bytes_ > kMaxZipUnpackedBytes)
      fail_input(path_, "zip members unpack to more than " + std::to_string(kMaxZipUnpackedBytes >> 20) +
                            " MiB in all: not a NanoTest export");
  }

 private:
  std::string path_;
  std::uint64_t unpacked_bytes_ = 0;
};

// The files a Mac adds to a zip it writes: no export of the instrument's.
bool mac_extra(const std::string& member) {
  const std::string name = member.substr(member.rfind('/') + 1);
  return member.rfind("__MACOSX/", 0) == 0 || name.rfind("._", 0) == 0 || name == ".DS_Store";
}

// Enough of a member for two rows of numbers (looks_like_nanotest_txt asks no more).
constexpr std::size_t kZipMemberHeadBytes = 4096;

// Thrown to stop walking a zip at its first export: the rest need not be unpacked.
struct ExportFound {};

}  // namespace

IndentCurve parse_nanotest_text(const std::string& name, const std::string& bytes) {
  return parse_nanotest_lines(decode_text(name, bytes));
}

IndentCurve read_nanotest_txt(const std::string& path) { return parse_nanotest_lines(read_text_file(path)); }

std::vector<IndentCurve> read_nanotest_zip(const std::string& path, std::vector<MemberFailure>* failures) {
  require_regular_file(path);
  std::vector<IndentCurve> curves;
  bool any_member = false;
  for_each_zip_member(path, ZipSizeCheck(path), [&](const std::string& member, std::string bytes) {
    if (mac_extra(member)) return;
    any_member = true;
    try {
      curves.push_back(parse_nanotest_text(path + ":" + member, bytes));
    } catch (const InputError& e) {
      if (!failures) throw;
      failures->push_back({path + ":" + member, e.what()});
    }
  });
  if (!any_member) fail_input(path, "zip archive holds no files");
  return curves;
}

NanotestZipContents survey_nanotest_zip(const std::string& path) {
  require_regular_file(path);
  NanotestZipContents contents;
  try {
    for_each_zip_member(path, ZipSizeCheck(path), [&](const std::string& member, std::string bytes) {
      if (mac_extra(member)) return;
      ++contents.members;
      if (contents.names.size() < NanotestZipContents::kNamesKept) contents.names.push_back(member);
      if (bytes.size() > kZipMemberHeadBytes) bytes.resize(kZipMemberHeadBytes);
      if (bytes.find('\0') != std::string::npos && !starts_with_utf16_bom(bytes)) return;  // binary: no export
      try {
        if (!looks_like_nanotest_txt(decode_text_head(path + ":" + member, bytes, kZipMemberHeadBytes).lines)) return;
      } catch (const InputError&) {  // text the decoder refuses is no export either
        return;
      }
      contents.holds_export = true;
      throw ExportFound{};
    });
  } catch (const ExportFound&) {
  }
  return contents;
}

IndentCurve read_triboscan_txt(const std::string& path) {
  const TextFile tf = read_text_file(path);
  std::size_t i = 0;
  long expected = -1;
  for (; i < tf.lines.size() && i < 10; ++i) {
    const auto pos = tf.lines[i].find("Number of Points");
    if (pos == std::string::npos) continue;
    const auto eq = tf.lines[i].find('=', pos);
    if (eq == std::string::npos) fail_input(path, "line " + std::to_string(i + 1) + ": 'Number of Points' without '='");
    // Checked before the conversion: a count beyond what a long holds is undefined behaviour
    // (found by fuzz_indent), and a count larger than the file's lines is a lie anyway.
    const double n = parse_number(tf.lines[i].substr(eq + 1), path, i + 1, "Number of Points");
    if (!(n >= 0) || n != std::floor(n))
      fail_input(path, "line " + std::to_string(i + 1) + ": Number of Points = " + trim(tf.lines[i].substr(eq + 1)) +
                           " is not a whole number >= 0");
    if (n > static_cast<double>(tf.lines.size()))
      fail_input(path, "line " + std::to_string(i + 1) + ": Number of Points = " + trim(tf.lines[i].substr(eq + 1)) +
                           " but the file has only " + std::to_string(tf.lines.size()) + " lines (cut short?)");
    expected = static_cast<long>(n);
    break;
  }
  if (expected < 0) fail_input(path, "no 'Number of Points = N' line in the first 10 lines: not a TriboScan export");
  const std::size_t header_line = i + 1;
  if (header_line >= tf.lines.size()) fail_input(path, "no column header after 'Number of Points'");
  const auto header = split_fields(tf.lines[header_line], '\t');
  int col_depth = -1, col_load = -1, col_time = -1;
  for (std::size_t k = 0; k < header.size(); ++k) {
    const std::string h = trim(header[k]);
    if (h.rfind("Depth (", 0) == 0 && h.find("(V)") == std::string::npos && col_depth < 0)
      col_depth = static_cast<int>(k);
    if (h.rfind("Load (", 0) == 0 && h.find("(V)") == std::string::npos && col_load < 0) col_load = static_cast<int>(k);
    if (h.rfind("Time (s)", 0) == 0 && col_time < 0) col_time = static_cast<int>(k);
  }
  if (col_depth < 0 || col_load < 0 || col_time < 0)
    fail_input(path, "line " + std::to_string(header_line + 1) + ": header lacks Depth (nm), Load (µN) or Time (s)");
  const double to_nm = depth_factor_to_nm(trim(header[static_cast<std::size_t>(col_depth)]), path);
  const double to_mN = load_factor_to_mN(trim(header[static_cast<std::size_t>(col_load)]), path);
  IndentCurve c;
  c.source = path;
  c.format = "triboscan";
  const int need = std::max({col_depth, col_load, col_time}) + 1;
  for (std::size_t r = header_line + 1; r < tf.lines.size(); ++r) {
    if (blank(tf.lines[r])) continue;
    const auto f = split_fields(tf.lines[r], '\t');
    if (static_cast<int>(f.size()) < need)
      fail_input(path, "line " + std::to_string(r + 1) + ": " + std::to_string(f.size()) + " columns, header has " +
                           std::to_string(header.size()));
    add_row(c, parse_number(f[static_cast<std::size_t>(col_time)], path, r + 1, "time"),
            to_nm * parse_number(f[static_cast<std::size_t>(col_depth)], path, r + 1, "depth"),
            to_mN * parse_number(f[static_cast<std::size_t>(col_load)], path, r + 1, "load"), path, r + 1);
  }
  if (static_cast<long>(c.size()) != expected)
    fail_input(path, "header says Number of Points = " + std::to_string(expected) + " but " +
                         std::to_string(c.size()) + " data rows follow (truncated?)");
  if (to_mN != 1)
    c.notes.push_back("load converted from " + trim(header[static_cast<std::size_t>(col_load)]) + " to mN");
  return c;
}

namespace {

// A header row, then numeric rows: columns found by quantity and unit (find_column), separator
// and decimal mark detected from the header and the first data row.
IndentCurve parse_indent_with_header(const TextFile& tf) {
  const std::string& path = tf.path;
  std::size_t h = 0;
  while (h < tf.lines.size() && blank(tf.lines[h])) ++h;
  if (h >= tf.lines.size()) fail_input(path, "empty file");
  const char delim = detect_delimiter(tf.lines[h]);
  const auto header = split_line(tf.lines[h], delim);
  const auto [ct, to_s] = find_column(header, kTime, path, h + 1, "time_s, Time (s)");
  const auto [cd, to_nm] = find_column(header, kDepth, path, h + 1, "depth_nm, Depth (nm), Displacement (um)");
  const auto [cl, to_mN] = find_column(header, kLoad, path, h + 1, "load_mN, Load (uN), Force (mN)");
  std::map<std::string, std::size_t> col;
  for (std::size_t k = 0; k < header.size(); ++k) col[lower(trim(header[k]))] = k;
  const bool has_xy = col.count("x_um") && col.count("y_um");
  IndentCurve c;
  c.source = path;
  c.format = "csv";
  const char decimal = detect_decimal_of_rows(tf.lines, h + 1, delim);
  for (std::size_t r = h + 1; r < tf.lines.size(); ++r) {
    if (blank(tf.lines[r])) continue;
    const auto f = split_line(tf.lines[r], delim);
    if (f.size() < header.size())
      fail_input(path, "line " + std::to_string(r + 1) + ": " + std::to_string(f.size()) + " fields, header has " +
                           std::to_string(header.size()));
    add_row(c, to_s * parse_number(f[ct], path, r + 1, trim(header[ct]), decimal),
            to_nm * parse_number(f[cd], path, r + 1, trim(header[cd]), decimal),
            to_mN * parse_number(f[cl], path, r + 1, trim(header[cl]), decimal), path, r + 1);
    if (has_xy && !c.x_um) {
      c.x_um = parse_optional_number(f[col["x_um"]], path, r + 1, "x_um", decimal);
      c.y_um = parse_optional_number(f[col["y_um"]], path, r + 1, "y_um", decimal);
    }
  }
  if (c.size() == 0) fail_input(path, "no data rows after the header");
  if (to_mN != 1) c.notes.push_back("load converted from " + trim(header[cl]) + " to mN");
  if (to_nm != 1) c.notes.push_back("depth converted from " + trim(header[cd]) + " to nm");
  return c;
}

bool zip_magic(const std::string& head) {
  return looks_like_nanotest_zip(reinterpret_cast<const unsigned char*>(head.data()), head.size());
}

// The trimmed, lower-case fields of the first non-blank line (empty when there is none).
std::vector<std::string> first_header(const std::vector<std::string>& lines) {
  for (const std::string& l : lines) {
    if (blank(l)) continue;
    std::vector<std::string> f = split_fields(l, guess_delimiter(l));
    for (std::string& s : f) s = lower(trim(s));
    return f;
  }
  return {};
}

bool has(const std::vector<std::string>& fields, const char* name) {
  return std::find(fields.begin(), fields.end(), name) != fields.end();
}

// A whole field that is one finite number (NanoTest rows hold nothing else).
bool number_field(const std::string& field) {
  const std::string t = trim(field);
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  return !t.empty() && end == t.c_str() + t.size() && std::isfinite(v);
}

// The first `count` fields of a row as numbers, read as the readers read them (parse_number, in the
// decimal mark the row shows), or nothing when one is not a number.
std::optional<std::vector<double>> leading_numbers(const std::vector<std::string>& f, std::size_t count, char delim) {
  const char decimal = detect_decimal(f, delim);
  std::vector<double> v;
  try {
    for (std::size_t k = 0; k < count; ++k) v.push_back(parse_number(f[k], "", 0, "", decimal));
  } catch (const InputError&) {
    return std::nullopt;
  }
  return v;
}

// True when every field of the first non-blank line is a number: a headerless export.
bool starts_with_numbers(const TextFile& tf) {
  for (const auto& line : tf.lines) {
    if (blank(line)) continue;
    const char delim = detect_delimiter(line);
    auto f = split_line(line, delim);
    // Exports that end every row with a separator (a NanoTest file with a TAB before each CRLF)
    // have an empty last field: not a header.
    while (!f.empty() && trim(f.back()).empty()) f.pop_back();
    return !f.empty() && leading_numbers(f, f.size(), delim);
  }
  return false;
}

}  // namespace

bool looks_like_nanotest_zip(const unsigned char* head, std::size_t n) {
  // A member's local header first; an empty archive is its end record alone.
  if (n < 4 || head[0] != 'P' || head[1] != 'K') return false;
  return (head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6);
}

bool looks_like_triboscan(const std::vector<std::string>& lines) {
  for (std::size_t i = 0; i < lines.size() && i < 10; ++i)
    if (lines[i].find("Number of Points") != std::string::npos) return true;
  return false;
}

// The reader's own rule (parse_indent_with_header, find_column): a first line naming a time, a depth
// and a load column, each in one of its units. Only `time_s` with `depth_nm` or `load_mN` counted
// before, so init passed over "Time (s);Depth (nm);Load (mN)" and Anton Paar's "Fn [mN];Pd [nm]"
// exports that `hardness` reads.
bool looks_like_indent_csv(const std::vector<std::string>& lines) {
  for (const std::string& l : lines) {
    if (blank(l)) continue;
    const auto header = split_line(l, detect_delimiter(l));
    return match_role(header, kTime).column && match_role(header, kDepth).column && match_role(header, kLoad).column;
  }
  return false;
}

// Headerless rows of at least three numbers (NanoTest's tab-separated time, depth, load; Anton
// Paar's with spaces): the separator as the reader detects it.
// With the decimal mark as the reader detects it: a NanoTest export in a decimal-comma locale
// ("0,000000<TAB>-367,98") was "text file of unknown layout" to init, though `hardness` reads it.
bool looks_like_nanotest_txt(const std::vector<std::string>& lines) {
  int rows = 0;
  double last_time_s = -std::numeric_limits<double>::infinity();
  for (const std::string& l : lines) {
    if (blank(l)) continue;
    const char delim = detect_delimiter(l);
    const auto f = split_line(l, delim);
    const auto v = f.size() < 3 ? std::nullopt : leading_numbers(f, 3, delim);
    if (!v || !std::all_of(v->begin(), v->end(), [](double x) { return std::isfinite(x); }))
      return rows >= 2;  // past two rows: the head may end inside a line
    // Its first column is time, which the curve's check refuses to see go back: any table of three
    // numbers (a hardness map's x, y, H) had been taken for an export, and `init` listed it.
    if ((*v)[0] < last_time_s) return false;
    last_time_s = (*v)[0];
    ++rows;
  }
  return rows >= 2;
}

bool looks_like_indent_positions(const std::vector<std::string>& lines) {
  const auto h = first_header(lines);
  return has(h, "file") && has(h, "x_um") && has(h, "y_um");
}

const char* indent_format_name(IndentFormat f) {
  switch (f) {
    case IndentFormat::nanotest_txt: return "NanoTest indentation";
    case IndentFormat::nanotest_zip: return "NanoTest zip";
    case IndentFormat::triboscan: return "TriboScan indentation";
    case IndentFormat::csv: return "generic indentation CSV";
    case IndentFormat::unknown: break;
  }
  return "unknown";
}

IndentFormat detect_indent_format(const std::string& path) {
  const std::string head = read_file_head(path);
  if (zip_magic(head)) return IndentFormat::nanotest_zip;
  if (head.find('\0') != std::string::npos && !starts_with_utf16_bom(head)) return IndentFormat::unknown;
  const TextFile tf = decode_text_head(path, head);
  if (looks_like_triboscan(tf.lines)) return IndentFormat::triboscan;
  if (looks_like_indent_csv(tf.lines)) return IndentFormat::csv;
  if (looks_like_nanotest_txt(tf.lines)) return IndentFormat::nanotest_txt;
  return IndentFormat::unknown;
}

// Micro Materials' multi-test export (load_depth.txt; formats.md): TAB, no header, columns test
// number, cycle number, time [s], displacement [nm], load [mN]. Recognised by five or more numeric
// fields whose first two are the same whole numbers >= 1 on the first two rows (a test's rows),
// which a time and a depth never are; read before, its test and cycle numbers were taken for time
// and depth without a word.
static bool looks_like_nanotest_multitest(const TextFile& tf) {
  std::vector<std::vector<std::string>> rows;
  for (const std::string& l : tf.lines) {
    if (blank(l)) continue;
    auto f = split_line(l, detect_delimiter(l));
    if (f.size() < 5) return false;
    for (std::size_t k = 0; k < 5; ++k)
      if (!number_field(f[k])) return false;
    for (std::size_t k = 0; k < 2; ++k) {
      const double v = std::strtod(trim(f[k]).c_str(), nullptr);
      if (!(v >= 1 && v == std::floor(v))) return false;
    }
    rows.push_back(std::move(f));
    if (rows.size() == 2) return trim(rows[0][0]) == trim(rows[1][0]) && trim(rows[0][1]) == trim(rows[1][1]);
  }
  return false;
}

// One curve per test and cycle, in file order, named "<file>#test T cycle C"; the rows of one
// must be consecutive.
static std::vector<IndentCurve> parse_nanotest_multitest(const TextFile& tf) {
  std::vector<IndentCurve> curves;
  std::set<std::pair<long, long>> seen;
  std::pair<long, long> current{-1, -1};
  char delim = 0;
  for (std::size_t i = 0; i < tf.lines.size(); ++i) {
    if (blank(tf.lines[i])) continue;
    if (!delim) delim = detect_delimiter(tf.lines[i]);
    const auto f = split_line(tf.lines[i], delim);
    if (f.size() < 5)
      fail_input(tf.path, "line " + std::to_string(i + 1) + ": expected 5 columns (test, cycle, time s, depth nm, "
                          "load mN) of a NanoTest multi-test export, found " + std::to_string(f.size()));
    const double test = parse_number(f[0], tf.path, i + 1, "test number");
    const double cycle = parse_number(f[1], tf.path, i + 1, "cycle number");
    const auto whole = [](double v) { return v >= 1 && v < 1e9 && v == std::floor(v); };
    if (!whole(test) || !whole(cycle))
      fail_input(tf.path, "line " + std::to_string(i + 1) + ": test and cycle numbers must be whole numbers >= 1");
    const std::pair<long, long> key{long(test), long(cycle)};
    if (key != current) {
      if (!seen.insert(key).second)
        fail_input(tf.path, "line " + std::to_string(i + 1) + ": the rows of test " + std::to_string(key.first) +
                                " cycle " + std::to_string(key.second) + " are not consecutive");
      current = key;
      curves.emplace_back();
      curves.back().source = tf.path + "#test " + std::to_string(key.first) + " cycle " + std::to_string(key.second);
      curves.back().format = "nanotest multi-test";
    }
    add_row(curves.back(), parse_number(f[2], tf.path, i + 1, "time [s]"),
            parse_number(f[3], tf.path, i + 1, "depth [nm]"), parse_number(f[4], tf.path, i + 1, "load [mN]"),
            tf.path, i + 1);
  }
  if (curves.empty()) fail_input(tf.path, "no data rows in a NanoTest multi-test export");
  return curves;
}

IndentCurve read_indent_csv(const std::string& path) { return parse_indent_with_header(read_text_file(path)); }

std::vector<IndentCurve> read_indent_file(const std::string& path, std::vector<MemberFailure>* failures) {
  require_regular_file(path);  // before opening: a FIFO would block the open
  if (zip_magic(read_file_head(path, 4))) return read_nanotest_zip(path, failures);
  const TextFile tf = read_text_file(path);
  if (looks_like_triboscan(tf.lines)) return {read_triboscan_txt(path)};
  // Headerless numeric columns (NanoTest, Anton Paar: time, depth, load) or a header whose
  // columns are found by quantity and unit.
  if (looks_like_nanotest_multitest(tf)) return parse_nanotest_multitest(tf);
  if (starts_with_numbers(tf)) return {parse_nanotest_lines(tf)};
  return {parse_indent_with_header(tf)};
}

std::vector<IndentPosition> read_indent_positions(const std::string& path) {
  const TextFile tf = read_text_file(path);
  if (tf.lines.empty()) fail_input(path, "empty positions file");
  const char delim = guess_delimiter(tf.lines[0]);
  const auto header = split_fields(tf.lines[0], delim);
  std::map<std::string, std::size_t> col;
  for (std::size_t k = 0; k < header.size(); ++k) col[lower(trim(header[k]))] = k;
  for (const char* need : {"file", "x_um", "y_um"})
    if (!col.count(need))
      fail_input(path, std::string("line 1: missing column '") + need + "' (need file, x_um, y_um)");
  std::vector<IndentPosition> out;
  for (std::size_t r = 1; r < tf.lines.size(); ++r) {
    if (blank(tf.lines[r])) continue;
    const auto f = split_fields(tf.lines[r], delim);
    if (f.size() < header.size()) fail_input(path, "line " + std::to_string(r + 1) + ": too few fields");
    out.push_back({trim(f[col["file"]]), parse_number(f[col["x_um"]], path, r + 1, "x_um"),
                   parse_number(f[col["y_um"]], path, r + 1, "y_um")});
  }
  return out;
}

void apply_positions(std::vector<IndentCurve>& curves, const std::vector<IndentPosition>& positions) {
  for (IndentCurve& c : curves) {
    const auto colon = c.source.rfind(".zip:");
    const std::string name = colon != std::string::npos ? file_name(c.source.substr(colon + 5)) : file_name(c.source);
    for (const IndentPosition& p : positions) {
      if (p.file == name) {
        c.x_um = p.x_um;
        c.y_um = p.y_um;
      }
    }
  }
}

}  // namespace mgscope

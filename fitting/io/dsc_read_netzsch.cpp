// NETZSCH Proteus ASCII export: '#KEY:value' header lines (#DECIMAL, #SEPARATOR, #EXO, #SAMPLE MASS,
// #SEGMENT/#SEG./#RANGE), then the '##' column line, then rows; header length varies, so the
// reader scans for '##' rather than skipping a fixed count.
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "fitting/io/dsc_readers.hpp"
#include "fitting/base/error.hpp"

namespace mgscope {

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// A header value may start with the separator ("#EXO:,-1" in comma-separated exports).
std::string header_value(const std::string& raw) {
  std::string v = trim(raw);
  while (!v.empty() && (v.front() == ',' || v.front() == ';' || v.front() == '\t')) v = trim(v.substr(1));
  while (!v.empty() && (v.back() == ',' || v.back() == ';' || v.back() == '\t')) v = trim(v.substr(0, v.size() - 1));
  return v;
}

}  // namespace

bool looks_like_netzsch_dsc(const std::vector<std::string>& lines) {
  // What read_dsc_netzsch accepts: nothing but '#' lines (at least one '#KEY:value') from the first
  // line to the '##' column line. A Markdown file ("# Title", blank, "## Section") is not one.
  bool key_value = false;
  for (std::size_t i = 0; i < std::min(lines.size(), kDscHeadLines); ++i) {
    const std::string l = trim(lines[i]);
    if (l.rfind("##", 0) == 0) return key_value;
    if (l.empty() || l[0] != '#') return false;
    key_value = key_value || l.find(':') != std::string::npos;
  }
  return false;
}

DscRun read_dsc_netzsch(const TextFile& file, const DscReadOptions& options) {
  DscRun run;
  run.path = file.path;
  run.format = DscFormat::Netzsch;
  char decimal = 0, separator = 0;
  std::string mass_text, mass_unit;
  std::size_t mass_line = 0, header_line = 0;
  int single_segment = 0;  // "#SEGMENT:S3/6": the export holds segment 3 only
  std::size_t i = 0;
  for (; i < file.lines.size(); ++i) {
    const std::string l = trim(file.lines[i]);
    if (l.rfind("##", 0) == 0) {
      header_line = i + 1;
      break;
    }
    if (l.empty() || l[0] != '#')
      fail_input(file.path, "line " + std::to_string(i + 1) + ": expected a '#' header line or the '##' column line");
    const auto colon = l.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = upper(trim(l.substr(1, colon - 1)));
    const std::string value = header_value(l.substr(colon + 1));
    const std::string uvalue = upper(value);
    const std::string where = "line " + std::to_string(i + 1) + ": ";
    if (key == "DECIMAL") {
      if (uvalue == "COMMA") decimal = ',';
      else if (uvalue == "POINT") decimal = '.';
      else fail_input(file.path, where + "#DECIMAL '" + value + "' is neither POINT nor COMMA");
    } else if (key == "SEPARATOR") {
      if (uvalue == "SEMICOLON") separator = ';';
      else if (uvalue == "COMMA") separator = ',';
      else if (uvalue == "TAB") separator = '\t';
      else fail_input(file.path, where + "#SEPARATOR '" + value + "' is not SEMICOLON, COMMA or TAB");
    } else if (key == "EXO") {
      // Our reading of Proteus: #EXO:1 exothermic effects point up, #EXO:-1 they point down.
      if (value == "1" || value == "+1") run.exotherm = Exotherm::Up;
      else if (value == "-1") run.exotherm = Exotherm::Down;
      else fail_input(file.path, where + "#EXO '" + value + "' is neither 1 nor -1");
      run.exotherm_from_file = true;
    } else if (key.rfind("SAMPLE MASS", 0) == 0) {
      mass_text = value;
      mass_line = i + 1;
      const auto slash = key.find('/');
      mass_unit = slash == std::string::npos ? "MG" : trim(key.substr(slash + 1));
    } else if (key == "SAMPLE") {
      run.sample = value;
    } else if (key == "SEGMENT" && value.size() > 1 && (value[0] == 'S' || value[0] == 's')) {
      single_segment = std::atoi(value.c_str() + 1);
    }
  }
  if (header_line == 0) fail_input(file.path, "no '##' column line (not a complete NETZSCH export)");
  const std::string columns_text = trim(file.lines[header_line - 1]).substr(2);
  if (separator == 0) separator = guess_delimiter(columns_text);
  if (decimal == 0) {  // undeclared: a comma inside the first data row is a decimal comma
    decimal = '.';
    for (std::size_t j = header_line; j < file.lines.size() && separator != ','; ++j)
      if (!trim(file.lines[j]).empty()) {
        if (file.lines[j].find(',') != std::string::npos) decimal = ',';
        break;
      }
  }
  if (decimal == ',' && separator == ',')
    fail_input(file.path, "#DECIMAL COMMA with #SEPARATOR COMMA cannot be read unambiguously");
  if (!run.exotherm_from_file) run.warnings.push_back("no #EXO line: exotherm direction assumed up");
  if (!mass_text.empty()) {
    const double m = parse_number(mass_text, file.path, mass_line, "#SAMPLE MASS", decimal);
    const double scale = mass_unit == "MG" ? 1.0 : mass_unit == "G" ? 1000.0 : mass_unit == "UG" ? 1e-3 : 0.0;
    if (scale == 0)
      fail_input(file.path,
                 "line " + std::to_string(mass_line) + ": sample mass unit '" + mass_unit + "' is not mg, g or ug");
    set_dsc_mass(run, m * scale, mass_line, "#SAMPLE MASS");
  }

  std::vector<std::string> labels = split_fields(columns_text, separator);
  for (std::string& l : labels) l = dsc_label_text(l);
  const DscColumns cols = resolve_dsc_columns(labels, file.path, header_line, options.temperature_column);
  run.temperature_column = cols.temperature_used;
  run.heat_flow_unit = cols.per_mass ? HeatFlowUnit::mW_per_mg : HeatFlowUnit::mW;
  std::vector<std::size_t> chunk_starts;
  std::vector<int> numbers;
  for (i = header_line; i < file.lines.size(); ++i) {
    if (trim(file.lines[i]).empty()) continue;
    const int seg = append_dsc_row(run, cols, labels, split_fields(file.lines[i], separator), i + 1, decimal);
    if (numbers.empty() || seg != numbers.back()) {
      chunk_starts.push_back(run.time_s.size() - 1);
      numbers.push_back(cols.segment >= 0 ? seg : single_segment);
    }
  }
  if (run.time_s.empty())
    fail_input(file.path, "no data rows after the '##' column line " + std::to_string(header_line));
  check_isolated_outliers(run, chunk_starts, dsc_value_units(cols, labels));
  split_segments(run, chunk_starts, numbers);
  return run;
}

}  // namespace mgscope

// The generic DSC CSV of docs/dsc.md: optional '# key: value' lines (sample, mass_mg, exotherm,
// decimal), one header row naming temperature, time and heat flow with units ("T_C,t_min,HF_mW"),
// an optional segment column, then one row per sample.
#include <algorithm>
#include <cctype>

#include "fitting/io/dsc_readers.hpp"
#include "fitting/base/error.hpp"

namespace mgscope {

namespace {

// The header row's labels as the reader takes them: split at detect_delimiter's answer (runs of
// spaces too), degree signs repaired. looks_like_dsc_csv split at tab/comma/semicolon only, so
// `mgscope init` missed the space-delimited `t_s  T_K  HF_mW` that `mgscope dsc` reads.
std::vector<std::string> header_labels(const std::string& line, char delim) {
  std::vector<std::string> labels = split_line(line, delim);
  for (std::string& l : labels) l = dsc_label_text(l);
  return labels;
}

}  // namespace

bool looks_like_dsc_csv(const std::vector<std::string>& lines) {
  for (std::size_t i = 0; i < std::min(lines.size(), kDscHeadLines); ++i) {
    const std::string l = trim(lines[i]);
    if (l.empty() || l[0] == '#') continue;
    const DscColumns c = find_dsc_column_roles(header_labels(lines[i], detect_delimiter(lines[i])));
    return !c.temperature_candidates.empty() && c.time >= 0 && c.heat_flow >= 0;
  }
  return false;
}

DscRun read_dsc_generic_csv(const TextFile& file, const DscReadOptions& options) {
  DscRun run;
  run.path = file.path;
  run.format = DscFormat::GenericCsv;
  char decimal = 0;  // unset: detected from the first data row
  // The mass is parsed once the decimal mark is known: '# mass_mg: 9,0' above '# decimal: comma'
  // (or in a file whose rows show the decimal comma) was refused as "not a number".
  std::string mass_text;
  std::size_t mass_line = 0;
  std::size_t i = 0;
  for (; i < file.lines.size(); ++i) {
    const std::string l = trim(file.lines[i]);
    if (l.empty()) continue;
    if (l[0] != '#') break;
    const auto colon = l.find(':');
    if (colon == std::string::npos) continue;
    std::string key = trim(l.substr(1, colon - 1));
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string value = trim(l.substr(colon + 1));
    const std::string where = "line " + std::to_string(i + 1) + ": ";
    if (key == "sample") {
      run.sample = value;
    } else if (key == "mass_mg") {
      mass_text = value;
      mass_line = i + 1;
    } else if (key == "exotherm") {
      if (value == "up") run.exotherm = Exotherm::Up;
      else if (value == "down") run.exotherm = Exotherm::Down;
      else fail_input(file.path, where + "exotherm '" + value + "' is neither up nor down");
      run.exotherm_from_file = true;
    } else if (key == "decimal") {
      if (value == "comma") decimal = ',';
      else if (value == "point") decimal = '.';
      else fail_input(file.path, where + "decimal '" + value + "' is neither point nor comma");
    } else if (key.find("mass") != std::string::npos) {
      // '# mass_g: 0.010' or '# Mass: 10 mg' was passed over in silence, and the run then said only
      // "no sample mass".
      run.warnings.push_back(where + "'" + trim(l.substr(1, colon - 1)) + "' is not a key this reader knows: no mass "
                             "is read from it (write '# mass_mg: <mass in mg>', or give --mass)");
    }
  }
  if (i >= file.lines.size()) fail_input(file.path, "no header row (empty file or only '#' lines)");
  const std::size_t header_line = i + 1;
  // Tab, comma, semicolon or (names without spaces) runs of spaces.
  const char delim = detect_delimiter(file.lines[i]);
  if (decimal == ',' && delim == ',') fail_input(file.path, "decimal comma needs a ';' or TAB delimiter");
  const std::vector<std::string> labels = header_labels(file.lines[i], delim);
  const DscColumns cols = resolve_dsc_columns(labels, file.path, header_line, options.temperature_column);
  run.temperature_column = cols.temperature_used;
  run.heat_flow_unit = cols.per_mass ? HeatFlowUnit::mW_per_mg : HeatFlowUnit::mW;
  if (!run.exotherm_from_file) run.warnings.push_back("no '# exotherm:' line: exotherm direction assumed up");

  std::vector<std::size_t> chunk_starts;
  std::vector<int> numbers;
  if (!decimal) decimal = detect_decimal_of_rows(file.lines, i + 1, delim);
  if (mass_line)
    set_dsc_mass(run, parse_number(mass_text, file.path, mass_line, "mass_mg", decimal), mass_line, "mass_mg");
  for (++i; i < file.lines.size(); ++i) {
    if (trim(file.lines[i]).empty()) continue;
    const std::vector<std::string> fields = split_line(file.lines[i], delim);
    const int seg = append_dsc_row(run, cols, labels, fields, i + 1, decimal);
    if (numbers.empty() || seg != numbers.back()) {
      chunk_starts.push_back(run.time_s.size() - 1);
      numbers.push_back(seg);
    }
  }
  if (run.time_s.empty())
    fail_input(file.path, "no data rows after the header (line " + std::to_string(header_line) + ")");
  check_isolated_outliers(run, chunk_starts, dsc_value_units(cols, labels));
  split_segments(run, chunk_starts, numbers);
  return run;
}

}  // namespace mgscope

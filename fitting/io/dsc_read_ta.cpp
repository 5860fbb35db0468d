// TA Instruments Universal Analysis text export: 'Key<TAB>value' header (Exotherm Up/Down, Size in mg,
// Nsig and one 'SigN<TAB>Name (unit)' line per column), 'StartOfData', then TAB rows in which a
// time of -1 marks the start of a new segment of the method.
#include <algorithm>
#include <cstdlib>

#include "fitting/io/dsc_readers.hpp"
#include "fitting/base/error.hpp"

namespace mgscope {

bool looks_like_ta_universal_dsc(const std::vector<std::string>& lines) {
  bool start_of_data = false, nsig = false;
  for (std::size_t i = 0; i < std::min(lines.size(), kDscHeadLines); ++i) {
    const std::string l = trim(lines[i]);
    if (l == "StartOfData") start_of_data = true;
    if (l.rfind("Nsig", 0) == 0) nsig = true;
  }
  return start_of_data && nsig;
}

DscRun read_dsc_ta_universal(const TextFile& file, const DscReadOptions& options) {
  DscRun run;
  run.path = file.path;
  run.format = DscFormat::TaUniversal;
  int nsig = 0;
  std::vector<std::string> labels;
  std::size_t data_line = 0, nsig_line = 0;
  for (std::size_t i = 0; i < file.lines.size(); ++i) {
    const std::string l = trim(file.lines[i]);
    if (l == "StartOfData") {
      data_line = i + 1;
      break;
    }
    const auto f = split_fields(file.lines[i], '\t');
    if (f.empty()) continue;
    const std::string key = trim(f[0]);
    const std::string value = f.size() > 1 ? trim(f[1]) : std::string();
    const std::string where = "line " + std::to_string(i + 1) + ": ";
    if (key == "Sample") {
      run.sample = value;
    } else if (key == "Size" && !value.empty()) {
      const double size = parse_number(value, file.path, i + 1, "Size");
      const std::string unit = f.size() > 2 ? trim(f[2]) : "mg";
      if (unit != "mg") fail_input(file.path, where + "sample size unit '" + unit + "' is not mg");
      set_dsc_mass(run, size, i + 1, "Size");
    } else if (key == "Exotherm") {
      if (value == "Up") run.exotherm = Exotherm::Up;
      else if (value == "Down") run.exotherm = Exotherm::Down;
      else fail_input(file.path, where + "Exotherm '" + value + "' is neither Up nor Down");
      run.exotherm_from_file = true;
    } else if (key == "Nsig") {
      nsig = int(parse_number(value, file.path, i + 1, "Nsig"));
      nsig_line = i + 1;
      if (nsig < 1 || nsig > 64) fail_input(file.path, where + "Nsig " + value + " is not a signal count");
      labels.assign(std::size_t(nsig), "");
    } else if (key.size() > 3 && key.compare(0, 3, "Sig") == 0 && nsig > 0) {
      const int k = std::atoi(key.c_str() + 3);
      if (k >= 1 && k <= nsig) labels[std::size_t(k - 1)] = dsc_label_text(value);
    }
  }
  if (data_line == 0) fail_input(file.path, "no 'StartOfData' line (not a TA Universal Analysis export)");
  if (nsig == 0) fail_input(file.path, "no 'Nsig' line before StartOfData");
  for (std::size_t k = 0; k < labels.size(); ++k)
    if (labels[k].empty())
      fail_input(file.path, "line " + std::to_string(nsig_line) + ": Nsig is " + std::to_string(nsig) + " but Sig" +
                                std::to_string(k + 1) + " is not named");
  if (!run.exotherm_from_file) run.warnings.push_back("no 'Exotherm' line: exotherm direction assumed up");
  const DscColumns cols = resolve_dsc_columns(labels, file.path, nsig_line, options.temperature_column);
  run.temperature_column = cols.temperature_used;
  run.heat_flow_unit = cols.per_mass ? HeatFlowUnit::mW_per_mg : HeatFlowUnit::mW;

  std::vector<std::size_t> chunk_starts;
  bool new_chunk = true;
  for (std::size_t i = data_line; i < file.lines.size(); ++i) {
    if (trim(file.lines[i]).empty()) continue;
    const auto fields = split_fields(file.lines[i], '\t');
    if (fields.size() != labels.size())
      fail_input(file.path, "line " + std::to_string(i + 1) + ": " + std::to_string(fields.size()) +
                                " fields, Nsig is " + std::to_string(nsig) + " (truncated row?)");
    // A segment marker: time -1 (its other fields are the segment's set values, not data).
    if (parse_number(fields[std::size_t(cols.time)], file.path, i + 1, labels[std::size_t(cols.time)]) == -1.0) {
      new_chunk = true;
      continue;
    }
    append_dsc_row(run, cols, labels, fields, i + 1, '.');
    if (new_chunk) chunk_starts.push_back(run.time_s.size() - 1);
    new_chunk = false;
  }
  if (run.time_s.empty())
    fail_input(file.path, "no data rows after StartOfData (line " + std::to_string(data_line) + ")");
  std::vector<int> numbers;
  for (std::size_t c = 0; c < chunk_starts.size(); ++c) numbers.push_back(int(c) + 1);
  check_isolated_outliers(run, chunk_starts, dsc_value_units(cols, labels));
  split_segments(run, chunk_starts, numbers);
  return run;
}

}  // namespace mgscope

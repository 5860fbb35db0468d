// DSC runs as instruments export them (NETZSCH Proteus ASCII, TA Universal Analysis text, a
// documented generic CSV), read into one normalised run split into heating/cooling segments.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "fitting/base/text_file.hpp"

namespace mgscope {

enum class DscFormat { Netzsch, TaUniversal, GenericCsv };
const char* to_string(DscFormat f);

// Which way an exothermic event deflects the heat-flow signal as stored in the file.
enum class Exotherm { Up, Down };
const char* to_string(Exotherm e);

enum class SegmentKind { Heating, Cooling, Isothermal };
const char* to_string(SegmentKind k);

struct DscSegment {
  std::size_t begin = 0;  // rows [begin, end) of the run's arrays
  std::size_t end = 0;
  SegmentKind kind = SegmentKind::Heating;
  double rate_K_per_min = 0;  // least-squares dT/dt over the segment
  int file_segment = 0;       // the file's own segment number (1-based), 0 when the file has none
};

// Heat flow is either absolute (mW) or already per mass (mW/mg, numerically equal to W/g).
enum class HeatFlowUnit { mW, mW_per_mg };
const char* to_string(HeatFlowUnit u);

// The temperature column a reader used (its label as in the header), the header's other
// temperature columns (reference, program, furnace...) and why this one: a wrong pick moves every
// temperature (the reference's read 1.5 K low), so the outputs say which was read.
struct DscTemperatureColumn {
  std::string label;
  std::vector<std::string> others;
  std::string why;  // "the only temperature column", "it names the sample", "--temperature-column"
};

// What the user may tell the readers. temperature_column: the temperature column by its label as
// in the header ("Temperature Sample (°C)") or its name without the unit ("Temperature Sample");
// empty: chosen by the rule of resolve_dsc_columns.
struct DscReadOptions {
  std::string temperature_column;
};

struct DscRun {
  std::string path;
  DscFormat format = DscFormat::GenericCsv;
  std::string sample;
  std::optional<double> mass_mg;       // from the file header
  Exotherm exotherm = Exotherm::Up;    // as stored in the file
  bool exotherm_from_file = false;     // false: not stated in the file, Up assumed (see warnings)
  HeatFlowUnit heat_flow_unit = HeatFlowUnit::mW;
  DscTemperatureColumn temperature_column;  // empty label for a run from arrays
  std::vector<double> time_s;
  std::vector<double> temperature_K;
  std::vector<double> heat_flow;        // in heat_flow_unit, with the file's sign
  std::vector<std::size_t> line;        // 1-based source line of each row (for messages)
  bool line_is_index = false;           // a run from arrays: `line` holds each row's index
  std::vector<DscSegment> segments;
  std::vector<std::string> warnings;
};

// Reads any supported export, recognised by content (not by extension). Throws InputError naming
// the file and line for an unknown layout, a missing column, an unknown unit or a garbled number.
DscRun read_dsc(const std::string& path, const DscReadOptions& options = {});
DscRun read_dsc(const TextFile& file, const DscReadOptions& options = {});  // same, text already in memory

// The individual readers (exposed for tests); each fills rows and segments.
DscRun read_dsc_netzsch(const TextFile& file, const DscReadOptions& options = {});
DscRun read_dsc_ta_universal(const TextFile& file, const DscReadOptions& options = {});
DscRun read_dsc_generic_csv(const TextFile& file, const DscReadOptions& options = {});

// Each reader's own "does this look like me" rule, from the first lines of a file (the whole
// file or only its head, read_file_head): read_dsc picks its reader by them and `mgscope init`
// recognises DSC files by them. Each looks at the first kDscHeadLines lines at most.
constexpr std::size_t kDscHeadLines = 400;
// Only '#' lines, at least one '#KEY:value', from the first line to the '##' column line.
bool looks_like_netzsch_dsc(const std::vector<std::string>& lines);
// An 'Nsig' line and a 'StartOfData' line.
bool looks_like_ta_universal_dsc(const std::vector<std::string>& lines);
// The first line that is neither blank nor a '#' line, split as the generic reader splits its
// header (tab, semicolon, comma or runs of spaces), names a temperature, a time and a heat-flow
// column (the roles of resolve_dsc_columns, units not checked; several temperature columns count
// even when the reader needs --temperature-column to pick one). read_dsc does not need it: the
// generic reader is its fallback, whose errors say what a header lacks.
bool looks_like_dsc_csv(const std::vector<std::string>& lines);

// --- shared by the readers ---

// Splits a column label into name and unit: "Temp./°C", "DSC/(mW/mg)", "Heat Flow (mW)",
// "T [K]", "HF_W_per_g" -> {"Temp.", "°C"}, {"DSC", "mW/mg"}, ... Unit is "" when absent.
struct LabelUnit {
  std::string name;
  std::string unit;
};
LabelUnit split_label_unit(const std::string& label);

// A column label as it was meant to read: old TA exports write the degree sign as byte 0xF8 (code
// page 437/850), which decodes as Latin-1 "ø" ("Ã¸" when decoded twice); before C, F or K it is
// "°" ("Temperature (øC)" -> "Temperature (°C)"). So is "Â°", the UTF-8 "°" read as Latin-1 and
// written back as UTF-8 (a file opened and saved in a Latin-1 editor). Other text is kept.
std::string dsc_label_text(const std::string& label);

// Unit conversions: value_in_target = a * value + b. Throw InputError naming `path` and the column
// for a unit that is not a temperature / time / heat flow.
struct Affine {
  double a = 1;
  double b = 0;
};
Affine temperature_to_K(const std::string& unit, const std::string& path, const std::string& column);
Affine time_to_s(const std::string& unit, const std::string& path, const std::string& column);
// Heat flow: to mW (absolute) or to mW/mg (per mass), as `per_mass` tells.
Affine heat_flow_to_normal(const std::string& unit, const std::string& path, const std::string& column,
                           bool& per_mass);

// Which column holds time, temperature, heat flow (and the file's segment number), with the
// conversions to s, K and mW or mW/mg. Roles come from the label names (case-insensitive): time
// "t"/"Time..."; heat flow "Heat Flow"/"HF"/"DSC..." (an exact name wins over a prefix, so "Heat
// Flow" beats "Heat Flow A"); segment "Seg...". Temperature: "T", a word starting "Temp" or ending
// "temperatur(e)", "T <word>" ("T_sample"), "Ts", "Tr"; not a difference or a rate ("Temperature
// Difference"). Among several, the one naming the sample ("Sample", "Probe", "Ts") wins; one naming
// the reference, the program (set point) or the furnace never wins over another; several left with
// none naming the sample is an InputError naming them and --temperature-column. Throws InputError
// naming the file and the header line for a missing column or a column without a unit.
struct DscColumns {
  int time = -1, temperature = -1, heat_flow = -1, segment = -1;
  std::vector<int> temperature_candidates;  // every temperature column, the one used among them
  DscTemperatureColumn temperature_used;    // why: by find_dsc_column_roles; the rest by resolve_dsc_columns
  Affine to_s, to_K, to_heat_flow;
  bool per_mass = false;
};
// Only the roles (indices, -1 when absent or when several temperature columns leave no pick),
// never throwing: what detection needs.
DscColumns find_dsc_column_roles(const std::vector<std::string>& labels);
// `temperature_column`: DscReadOptions::temperature_column, overriding the rule.
DscColumns resolve_dsc_columns(const std::vector<std::string>& labels, const std::string& path, std::size_t header_line,
                               const std::string& temperature_column = "");

// How a file wrote its values: the units of its header (as written) and their conversions to K and
// to the run's heat-flow unit, to quote a refused value as the file gives it.
struct DscValueUnits {
  std::string temperature = "K", heat_flow = "mW";
  Affine to_K, to_heat_flow;
};
DscValueUnits dsc_value_units(const DscColumns& cols, const std::vector<std::string>& labels);

// One bad reading amid good ones, within each of rows [chunk_starts[i], chunk_starts[i+1]): a
// temperature or heat flow that jumps away from both neighbours and back, far beyond the signal's
// own step there (rules in dsc_outliers.cpp and docs/dsc.md). Throws InputError naming the line,
// the value and the rule; a real peak, spread over many rows, passes.
void check_isolated_outliers(const DscRun& run, const std::vector<std::size_t>& chunk_starts,
                             const DscValueUnits& units);

// Parses one data row into the run (time, temperature, heat flow, line) and returns the segment
// number (0 when there is no segment column). Garbled numbers throw InputError (file, line, column),
// as values check_dsc_row refuses do.
int append_dsc_row(DscRun& run, const DscColumns& cols, const std::vector<std::string>& labels,
                   const std::vector<std::string>& fields, std::size_t line_no, char decimal);

// The rules every row of a run obeys, read from a file or given as arrays: time, temperature and
// heat flow finite, a temperature in (0, 10000] K, a heat flow within +-1e6 (mW or mW/mg). Throws
// InputError naming run.path, `where` (the row's place: "line 12") and the value as given.
struct DscRowText {
  std::string where, time, temperature, heat_flow;
};
void check_dsc_row(const DscRun& run, std::size_t row, const DscRowText& text);

// A run from arrays (time in s, temperature in K, heat flow in `unit` with exotherm up), held to
// the rules of a file's rows (check_dsc_row, time running forward) and split into segments as a
// file without a segment column. `path` names it in messages, run.line holds each row's index.
// Throws InputError for arrays of unequal length and for rows the rules refuse.
DscRun dsc_run_from_arrays(const std::string& path, std::vector<double> time_s, std::vector<double> temperature_K,
                           std::vector<double> heat_flow, HeatFlowUnit unit);

// Splits rows [chunk_starts[i], chunk_starts[i+1]) (the file's own segments; one chunk = whole
// run) into heating, cooling and isothermal segments by the sign of dT/dt. `file_segment_numbers`
// (same length as chunk_starts, may be empty) labels each chunk. A drop of the temperature in one
// row (over 3 K and 20 median row steps) also starts a new chunk, with a warning of the run.
void split_segments(DscRun& run, const std::vector<std::size_t>& chunk_starts,
                    const std::vector<int>& file_segment_numbers = {});

// Plausibility rules of docs/dsc.md, shared by the readers. A header mass of 0 means "not
// entered": no mass, with a warning. A negative mass or one outside 1 ug - 100 g is an error
// naming the file, the line and the header key.
void set_dsc_mass(DscRun& run, double mass_mg, std::size_t line, const std::string& key);
inline constexpr double kMinMass_mg = 1e-3, kMaxMass_mg = 1e5;
// Time must never run backwards (rows sorted in time): a reversed time column would turn a
// cooling run into "heating". Throws InputError naming the file and the line.
void check_time_runs_forward(const DscRun& run);

// Where segment `s` lies, for messages: "lines 12-480" (a file), "indices 0-468" (arrays).
std::string dsc_rows_text(const DscRun& run, const DscSegment& s);

// Indices into run.segments of the heating segments long enough to analyse (>= 20 rows, >= 5 K).
std::vector<std::size_t> heating_segments(const DscRun& run);

}  // namespace mgscope

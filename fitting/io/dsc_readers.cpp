// What the DSC readers share: dispatch by their detectors, label/unit parsing, and the heating/cooling split.
#include "fitting/io/dsc_readers.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "fitting/base/error.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

const char* to_string(DscFormat f) {
  switch (f) {
    case DscFormat::Netzsch: return "NETZSCH Proteus ASCII";
    case DscFormat::TaUniversal: return "TA Universal Analysis text";
    case DscFormat::GenericCsv: return "generic CSV";
  }
  return "?";
}
const char* to_string(Exotherm e) { return e == Exotherm::Up ? "up" : "down"; }
const char* to_string(SegmentKind k) {
  switch (k) {
    case SegmentKind::Heating: return "heating";
    case SegmentKind::Cooling: return "cooling";
    case SegmentKind::Isothermal: return "isothermal";
  }
  return "?";
}
const char* to_string(HeatFlowUnit u) { return u == HeatFlowUnit::mW ? "mW" : "mW/mg"; }

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Lower case, no spaces, micro signs (U+00B5, U+03BC) as 'u', so units compare simply.
std::string unit_key(const std::string& unit) {
  std::string k;
  for (std::size_t i = 0; i < unit.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(unit[i]);
    if (c == ' ') continue;
    if (i + 1 < unit.size() && ((c == 0xC2 && static_cast<unsigned char>(unit[i + 1]) == 0xB5) ||
                                (c == 0xCE && static_cast<unsigned char>(unit[i + 1]) == 0xBC))) {
      k += 'u';
      ++i;
      continue;
    }
    k += static_cast<char>(std::tolower(c));
  }
  return k;
}

[[noreturn]] void bad_unit(const std::string& path, const std::string& column, const std::string& unit,
                           const std::string& expected) {
  fail_input(path, "column '" + column + "': unit '" + unit + "' is not " + expected);
}

}  // namespace

LabelUnit split_label_unit(const std::string& label) {
  const std::string s = trim(label);
  auto bracketed = [&](char open, char close) -> std::optional<LabelUnit> {
    if (s.empty() || s.back() != close) return std::nullopt;
    int depth = 0;
    for (std::size_t i = s.size(); i-- > 0;) {
      if (s[i] == close) ++depth;
      if (s[i] == open && --depth == 0) {
        std::string name = trim(s.substr(0, i));
        if (!name.empty() && name.back() == '/') name = trim(name.substr(0, name.size() - 1));
        return LabelUnit{name, trim(s.substr(i + 1, s.size() - i - 2))};
      }
    }
    return std::nullopt;
  };
  if (auto r = bracketed('(', ')')) return *r;
  if (auto r = bracketed('[', ']')) return *r;
  if (auto slash = s.find('/'); slash != std::string::npos)  // NETZSCH "Temp./°C", "Time/min"
    return {trim(s.substr(0, slash)), trim(s.substr(slash + 1))};
  if (auto us = s.find('_'); us != std::string::npos) {  // generic "HF_W_per_g"
    std::string unit = s.substr(us + 1);
    for (std::size_t p; (p = unit.find("_per_")) != std::string::npos;) unit.replace(p, 5, "/");
    return {s.substr(0, us), unit};
  }
  return {s, ""};
}

std::string dsc_label_text(const std::string& label) {
  std::string out;
  for (std::size_t i = 0; i < label.size();) {
    bool replaced = false;
    // "ø" (the DOS 0xF8), and "ø" decoded twice; "Â°": a UTF-8 "°" read as Latin-1 and saved again.
    for (const char* misread : {"\xC3\xB8", "\xC3\x83\xC2\xB8", "\xC3\x82\xC2\xB0"}) {
      const std::string m = misread;
      if (label.compare(i, m.size(), m) != 0 || i + m.size() >= label.size()) continue;
      const char next = static_cast<char>(std::toupper(static_cast<unsigned char>(label[i + m.size()])));
      if (next != 'C' && next != 'F' && next != 'K') continue;
      out += "\xC2\xB0";
      i += m.size();
      replaced = true;
      break;
    }
    if (!replaced) out += label[i++];
  }
  return out;
}

Affine temperature_to_K(const std::string& unit, const std::string& path, const std::string& column) {
  const std::string k = unit_key(unit);
  if (k == "k") return {1, 0};
  // "øC": the DOS code-page (437/850) degree sign 0xF8 of old TA exports, decoded as Windows-1252.
  if (k == "\xc2\xb0"
           "c" ||
      k == "\xc3\xb8"
           "c" ||
      k == "c" || k == "degc" || k == "oc" || k == "celsius")
    return {1, 273.15};
  bad_unit(path, column, unit, "a temperature unit (K, \xC2\xB0" "C)");
}

Affine time_to_s(const std::string& unit, const std::string& path, const std::string& column) {
  const std::string k = unit_key(unit);
  if (k == "s" || k == "sec" || k == "second" || k == "seconds") return {1, 0};
  if (k == "min") return {60, 0};
  if (k == "h") return {3600, 0};
  bad_unit(path, column, unit, "a time unit (s, min, h)");
}

Affine heat_flow_to_normal(const std::string& unit, const std::string& path, const std::string& column,
                           bool& per_mass) {
  const std::string k = unit_key(unit);
  per_mass = false;
  if (k == "mw") return {1, 0};
  if (k == "w") return {1000, 0};
  if (k == "uw") return {1e-3, 0};
  per_mass = true;
  if (k == "mw/mg" || k == "w/g") return {1, 0};
  if (k == "mw/g" || k == "w/kg") return {1e-3, 0};
  if (k == "uv")
    fail_input(path, "column '" + column + "' is the uncalibrated DSC signal in uV; export the heat flow "
                                            "(mW or mW/mg) instead");
  bad_unit(path, column, unit, "a heat-flow unit (mW, W, uW, mW/mg, W/g, mW/g)");
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Index of the label whose name matches: an exact name first, else the first prefix match.
int find_role(const std::vector<LabelUnit>& parsed, const std::vector<std::string>& exact,
              const std::vector<std::string>& prefixes, const std::string& case_sensitive_exact) {
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    if (!case_sensitive_exact.empty() && parsed[i].name == case_sensitive_exact) return int(i);
    for (const auto& e : exact)
      if (lower(parsed[i].name) == e) return int(i);
  }
  for (std::size_t i = 0; i < parsed.size(); ++i)
    for (const auto& p : prefixes)
      if (starts_with(lower(parsed[i].name), p.c_str())) return int(i);
  return -1;
}

}  // namespace

namespace {

// Lower-case words of a column name: "Temp. Sample" -> {"temp", "sample"}, "T_sample" -> {"t", "sample"}.
std::vector<std::string> name_words(const std::string& name) {
  std::vector<std::string> words(1);
  for (const char ch : name) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c >= 0x80)
      words.back() += static_cast<char>(std::tolower(c));
    else if (!words.back().empty())
      words.emplace_back();
  }
  if (words.back().empty()) words.pop_back();
  return words;
}

enum class TemperatureKind { None, Sample, Other, Plain };

// What a column name says of a temperature: the sample's, another's (reference, program, furnace:
// never the one wanted when the sample's is there), a plain "Temperature", or no temperature.
TemperatureKind temperature_kind(const std::string& name) {
  const std::vector<std::string> w = name_words(name);
  if (w.empty()) return TemperatureKind::None;
  // "T" alone, "T sample", "Ts"/"Tr": the capital keeps them apart from the time "t", "t_s".
  const bool capital_t = name[0] == 'T' && (w[0] == "t" || w[0] == "ts" || w[0] == "tr");
  bool temperature = capital_t;
  for (const auto& x : w) {
    // A difference or a rate of temperature (TA's "Temperature Difference") is a signal, not the scan's T.
    if (x == "difference" || x == "delta" || x == "rate" || x == "derivative" || x == "deriv")
      return TemperatureKind::None;
    temperature |= starts_with(x, "temp") || ends_with(x, "temperatur") || ends_with(x, "temperature");
  }
  if (!temperature) return TemperatureKind::None;
  if (w[0] == "ts" && name[0] == 'T') return TemperatureKind::Sample;
  if (w[0] == "tr" && name[0] == 'T') return TemperatureKind::Other;
  for (const auto& x : w) {
    if (starts_with(x, "sample") || starts_with(x, "probe") || starts_with(x, "proben")) return TemperatureKind::Sample;
    if (starts_with(x, "ref") || starts_with(x, "prog") || starts_with(x, "furnace") || starts_with(x, "oven") ||
        x == "set" || starts_with(x, "setpoint") || x == "target")
      return TemperatureKind::Other;
  }
  return TemperatureKind::Plain;
}

struct TemperaturePick {
  int index = -1;               // -1: none, or several and no rule picks one
  std::vector<int> candidates;  // every temperature column
  std::string why;              // why `index`, or why none
};

TemperaturePick pick_temperature(const std::vector<LabelUnit>& parsed) {
  TemperaturePick p;
  std::vector<int> sample, plain;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const TemperatureKind k = temperature_kind(parsed[i].name);
    if (k == TemperatureKind::None) continue;
    p.candidates.push_back(int(i));
    if (k == TemperatureKind::Sample) sample.push_back(int(i));
    if (k == TemperatureKind::Plain) plain.push_back(int(i));
  }
  if (p.candidates.size() == 1) {
    p.index = p.candidates[0];
    p.why = "the only temperature column";
  } else if (sample.size() == 1) {
    p.index = sample[0];
    p.why = "it names the sample";
  } else if (sample.size() > 1) {
    p.why = "several name the sample";
  } else if (plain.size() == 1) {
    p.index = plain[0];
    p.why = "the others name the reference, the program or the furnace";
  } else if (plain.empty() && !p.candidates.empty()) {
    p.why = "each names the reference, the program or the furnace, none the sample";
  } else if (!p.candidates.empty()) {
    p.why = "none names the sample (Sample, Probe, Ts), so none can be told for the sample's";
  }
  return p;
}

std::string quoted_list(const std::vector<std::string>& labels, const std::vector<int>& which) {
  std::string out;
  for (const int i : which) out += (out.empty() ? "'" : ", '") + trim(labels[std::size_t(i)]) + "'";
  return out;
}

}  // namespace

DscColumns find_dsc_column_roles(const std::vector<std::string>& labels) {
  std::vector<LabelUnit> parsed;
  for (const auto& l : labels) parsed.push_back(split_label_unit(l));
  DscColumns c;
  const TemperaturePick t = pick_temperature(parsed);
  c.temperature = t.index;
  c.temperature_candidates = t.candidates;
  c.temperature_used.why = t.why;
  c.time = find_role(parsed, {"time"}, {"time"}, "t");
  c.heat_flow = find_role(parsed, {"heat flow", "heatflow", "hf", "dsc"}, {"heat flow", "heatflow", "hf", "dsc"}, "");
  c.segment = find_role(parsed, {"segment", "seg."}, {"seg"}, "");
  return c;
}

DscColumns resolve_dsc_columns(const std::vector<std::string>& labels, const std::string& path, std::size_t header_line,
                               const std::string& temperature_column) {
  std::vector<LabelUnit> parsed;
  std::string listed;
  for (const auto& l : labels) {
    parsed.push_back(split_label_unit(l));
    listed += (listed.empty() ? "'" : ", '") + trim(l) + "'";
  }
  DscColumns c = find_dsc_column_roles(labels);
  const std::string where = "line " + std::to_string(header_line) + ": ";
  if (!temperature_column.empty()) {
    const std::string wanted = trim(temperature_column);
    c.temperature = -1;
    // The label as written wins; a name without its unit must name one column only ("Temperature"
    // over "Temperature (°C)" and "Temperature (K)" had taken the first silently).
    std::vector<int> by_name;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (trim(labels[i]) == wanted && c.temperature < 0) c.temperature = int(i);
      if (parsed[i].name == wanted) by_name.push_back(int(i));
    }
    if (c.temperature < 0 && by_name.size() > 1)
      fail_input(path, where + "--temperature-column '" + wanted + "' names " + quoted_list(labels, by_name) +
                           ": give the whole label, unit included");
    if (c.temperature < 0 && by_name.size() == 1) c.temperature = by_name.front();
    if (c.temperature < 0)
      fail_input(path, where + "no column named '" + wanted + "' (--temperature-column) among " + listed +
                           " (give a column's label as in the header, or its name without the unit)");
    c.temperature_used.why = "--temperature-column";
  } else if (c.temperature < 0 && !c.temperature_candidates.empty()) {
    fail_input(path, where + "temperature columns " + quoted_list(labels, c.temperature_candidates) + ": " +
                         c.temperature_used.why + "; name the one to read with --temperature-column");
  }
  if (c.temperature >= 0) {
    c.temperature_used.label = trim(labels[std::size_t(c.temperature)]);
    for (const int i : c.temperature_candidates)
      if (i != c.temperature) c.temperature_used.others.push_back(trim(labels[std::size_t(i)]));
  }
  auto need = [&](int index, const char* role, const char* example) {
    if (index < 0)
      fail_input(path, where + "no " + role + " column among " + listed + " (expected e.g. " + example + ")");
    if (parsed[std::size_t(index)].unit.empty())
      fail_input(path, where + "column '" + trim(labels[std::size_t(index)]) + "' has no unit (write e.g. " +
                           example + ")");
  };
  need(c.temperature, "temperature", "'T_C' or 'Temperature (K)'");
  need(c.time, "time", "'t_min' or 'Time (s)'");
  need(c.heat_flow, "heat-flow", "'HF_mW' or 'Heat Flow (W/g)'");
  c.to_K = temperature_to_K(parsed[std::size_t(c.temperature)].unit, path, labels[std::size_t(c.temperature)]);
  c.to_s = time_to_s(parsed[std::size_t(c.time)].unit, path, labels[std::size_t(c.time)]);
  c.to_heat_flow = heat_flow_to_normal(parsed[std::size_t(c.heat_flow)].unit, path,
                                       labels[std::size_t(c.heat_flow)], c.per_mass);
  return c;
}

int append_dsc_row(DscRun& run, const DscColumns& cols, const std::vector<std::string>& labels,
                   const std::vector<std::string>& fields, std::size_t line_no, char decimal) {
  const int needed = std::max({cols.time, cols.temperature, cols.heat_flow, cols.segment}) + 1;
  if (int(fields.size()) < needed)
    fail_input(run.path, "line " + std::to_string(line_no) + ": " + std::to_string(fields.size()) +
                             " fields, the header has " + std::to_string(labels.size()) + " (truncated row?)");
  auto number = [&](int col) {
    return parse_number(fields[std::size_t(col)], run.path, line_no, trim(labels[std::size_t(col)]), decimal);
  };
  const double t = number(cols.time), T = number(cols.temperature), hf = number(cols.heat_flow);
  run.time_s.push_back(cols.to_s.a * t + cols.to_s.b);
  run.temperature_K.push_back(cols.to_K.a * T + cols.to_K.b);
  run.heat_flow.push_back(cols.to_heat_flow.a * hf + cols.to_heat_flow.b);
  run.line.push_back(line_no);
  check_dsc_row(run, run.line.size() - 1,
                {"line " + std::to_string(line_no), trim(fields[std::size_t(cols.time)]),
                 trim(fields[std::size_t(cols.temperature)]), trim(fields[std::size_t(cols.heat_flow)])});
  return cols.segment >= 0 ? int(std::lround(number(cols.segment))) : 0;
}

void check_dsc_row(const DscRun& run, std::size_t i, const DscRowText& text) {
  const double t = run.time_s[i], T = run.temperature_K[i], hf = run.heat_flow[i];
  // An "inf" cell parses, and arrays may hold NaN: a NaN signal gave a Tg of NaN, status Success.
  const auto require_finite = [&](const char* name, double v, const std::string& given) {
    if (!std::isfinite(v)) fail_input(run.path, text.where + ": " + name + " " + given + " is not a finite number");
  };
  require_finite("time", t, text.time);
  require_finite("temperature", T, text.temperature);
  require_finite("heat flow", hf, text.heat_flow);
  if (T <= 0)
    fail_input(run.path,
               text.where + ": temperature " + text.temperature + " is at or below 0 K (wrong unit in the header?)");
  // Beyond these lie garbled numbers and wrong units, not a calorimeter (a heat flow of 1e30 W/g
  // gave a relaxation enthalpy of 9e28 J/g): no DSC runs at 10,000 K or measures 1 MW (per g).
  if (T > 1e4)
    fail_input(run.path, text.where + ": temperature " + text.temperature +
                             " is above 10000 K, beyond any calorimeter (wrong unit in the header, or a garbled "
                             "number?)");
  if (!(std::fabs(hf) <= 1e6))
    fail_input(run.path, text.where + ": heat flow " + text.heat_flow +
                             " lies beyond +-1e6 (mW or mW/mg), beyond any calorimeter (wrong unit, or a garbled "
                             "number?)");
}

DscRun dsc_run_from_arrays(const std::string& path, std::vector<double> time_s, std::vector<double> temperature_K,
                           std::vector<double> heat_flow, HeatFlowUnit unit) {
  DscRun run;
  run.path = path;
  run.exotherm_from_file = true;  // exotherm up, as the caller states: no "assumed" warning
  run.heat_flow_unit = unit;
  run.line_is_index = true;
  if (temperature_K.size() != time_s.size() || heat_flow.size() != time_s.size())
    fail_input(path, std::to_string(time_s.size()) + " times, " + std::to_string(temperature_K.size()) +
                         " temperatures and " + std::to_string(heat_flow.size()) +
                         " heat-flow values: they must be as many");
  run.time_s = std::move(time_s);
  run.temperature_K = std::move(temperature_K);
  run.heat_flow = std::move(heat_flow);
  for (std::size_t i = 0; i < run.time_s.size(); ++i) {
    run.line.push_back(i);
    check_dsc_row(run, i, {"index " + std::to_string(i), number_text(run.time_s[i], 6),
                           number_text(run.temperature_K[i], 6), number_text(run.heat_flow[i], 6)});
  }
  check_time_runs_forward(run);
  DscValueUnits units;
  units.heat_flow = to_string(unit);
  check_isolated_outliers(run, {0}, units);
  split_segments(run, {0});
  return run;
}

namespace {

// A temperature drop of more than this many kelvins in one row, and of kDropSteps median row steps,
// is no cooling ramp but a new run: two heatings written one after the other without a segment
// column or cooling rows were read as one heating at 10.8 K/min for 20 (delta_cp +103 %).
constexpr double kDropK = 3.0;
constexpr double kDropSteps = 20.0;

// `chunk_starts` with a new chunk at every such drop (and its file segment number repeated); each
// drop is a warning of the run.
void split_at_temperature_drops(DscRun& run, std::vector<std::size_t>& chunk_starts, std::vector<int>& numbers) {
  const auto& T = run.temperature_K;
  std::vector<std::size_t> starts;
  std::vector<int> nums;
  for (std::size_t c = 0; c < chunk_starts.size(); ++c) {
    const std::size_t b = chunk_starts[c];
    const std::size_t e = c + 1 < chunk_starts.size() ? chunk_starts[c + 1] : T.size();
    const int number = c < numbers.size() ? numbers[c] : 0;
    starts.push_back(b);
    nums.push_back(number);
    std::vector<double> steps;
    for (std::size_t i = b + 1; i < e; ++i) steps.push_back(std::abs(T[i] - T[i - 1]));
    if (steps.empty()) continue;
    std::nth_element(steps.begin(), steps.begin() + long(steps.size() / 2), steps.end());
    const double limit = std::max(kDropK, kDropSteps * steps[steps.size() / 2]);
    for (std::size_t i = b + 1; i < e; ++i) {
      if (!(T[i - 1] - T[i] > limit)) continue;
      starts.push_back(i);
      nums.push_back(number);
      const std::string where = std::string(run.line_is_index ? "index " : "line ") + std::to_string(run.line[i]);
      run.warnings.push_back("the temperature drops from " + number_text(T[i - 1], 6) + " K to " +
                             number_text(T[i], 6) + " K at " + where +
                             " in one row (no cooling rows, no segment boundary): read as the start of a new "
                             "segment; check that the file holds one run");
    }
  }
  chunk_starts = std::move(starts);
  numbers = std::move(nums);
}

}  // namespace

void split_segments(DscRun& run, const std::vector<std::size_t>& file_chunk_starts,
                    const std::vector<int>& file_segment_numbers) {
  std::vector<std::size_t> chunk_starts = file_chunk_starts;
  std::vector<int> numbers = file_segment_numbers;
  split_at_temperature_drops(run, chunk_starts, numbers);
  const std::size_t n_rows = run.time_s.size();
  const auto& T = run.temperature_K;
  const auto& t = run.time_s;
  // A chunk may hold a heating ramp, a hold and a cooling ramp when the file has no segment column;
  // rows are labelled by the sign of dT/dt over a window, short runs of one label are absorbed.
  constexpr double kThresholdKPerS = 0.1 / 60.0;  // below 0.1 K/min: isothermal
  for (std::size_t c = 0; c < chunk_starts.size(); ++c) {
    const std::size_t b = chunk_starts[c];
    const std::size_t e = c + 1 < chunk_starts.size() ? chunk_starts[c + 1] : n_rows;
    if (e <= b + 2) continue;
    const std::size_t n = e - b;
    const std::size_t w = std::clamp<std::size_t>(n / 100, 2, 50);
    std::vector<SegmentKind> label(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t j0 = b + (i > w ? i - w : 0), j1 = std::min(e - 1, b + i + w);
      const double dt = t[j1] - t[j0];
      const double rate = dt > 0 ? (T[j1] - T[j0]) / dt : 0.0;
      label[i] = rate > kThresholdKPerS    ? SegmentKind::Heating
                 : rate < -kThresholdKPerS ? SegmentKind::Cooling
                                           : SegmentKind::Isothermal;
    }
    // Runs of one label, short runs merged into the run before them (or after, at the start).
    struct Run {
      std::size_t begin, end;
      SegmentKind kind;
    };
    std::vector<Run> runs;
    for (std::size_t i = 0; i < n; ++i) {
      if (runs.empty() || runs.back().kind != label[i]) runs.push_back({i, i + 1, label[i]});
      else runs.back().end = i + 1;
    }
    const std::size_t min_len = std::max<std::size_t>(10, n / 50);
    std::vector<Run> merged;
    for (const Run& r : runs) {
      if (!merged.empty() && (r.end - r.begin < min_len || merged.back().kind == r.kind)) {
        merged.back().end = r.end;
      } else if (!merged.empty() && merged.back().end - merged.back().begin < min_len) {
        merged.back().end = r.end;
        merged.back().kind = r.kind;
      } else {
        merged.push_back(r);
      }
    }
    for (const Run& r : merged) {
      DscSegment s;
      s.begin = b + r.begin;
      s.end = b + r.end;
      s.file_segment = c < numbers.size() ? numbers[c] : 0;
      // Least-squares rate, centred to keep the sums well conditioned.
      double mt = 0, mT = 0;
      for (std::size_t i = s.begin; i < s.end; ++i) mt += t[i], mT += T[i];
      mt /= double(s.end - s.begin);
      mT /= double(s.end - s.begin);
      double stt = 0, stT = 0;
      for (std::size_t i = s.begin; i < s.end; ++i) stt += (t[i] - mt) * (t[i] - mt), stT += (t[i] - mt) * (T[i] - mT);
      s.rate_K_per_min = stt > 0 ? 60.0 * stT / stt : 0.0;
      s.kind = std::abs(s.rate_K_per_min) < 60.0 * kThresholdKPerS ? SegmentKind::Isothermal
               : s.rate_K_per_min > 0                              ? SegmentKind::Heating
                                                                   : SegmentKind::Cooling;
      run.segments.push_back(s);
    }
  }
}

std::vector<std::size_t> heating_segments(const DscRun& run) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < run.segments.size(); ++i) {
    const DscSegment& s = run.segments[i];
    if (s.kind != SegmentKind::Heating || s.end - s.begin < 20) continue;
    const auto [lo, hi] = std::minmax_element(run.temperature_K.begin() + long(s.begin),
                                              run.temperature_K.begin() + long(s.end));
    if (*hi - *lo >= 5.0) out.push_back(i);
  }
  return out;
}

namespace {
DscRun read_dsc_any(const TextFile& file, const DscReadOptions& options);
}  // namespace

void set_dsc_mass(DscRun& run, double mass_mg, std::size_t line, const std::string& key) {
  const std::string where = "line " + std::to_string(line) + ": " + key + " ";
  if (mass_mg == 0) {
    run.warnings.push_back(where + "is 0 mg: no sample mass, so no per-gram heat flow or enthalpy");
    return;
  }
  if (!(mass_mg >= kMinMass_mg && mass_mg <= kMaxMass_mg)) {
    std::ostringstream m;
    m << where << "gives " << mass_mg << " mg; a DSC sample mass lies within 1 ug to 100 g (rule of docs/dsc.md)";
    fail_input(run.path, m.str());
  }
  run.mass_mg = mass_mg;
}

std::string dsc_rows_text(const DscRun& run, const DscSegment& s) {
  return std::string(run.line_is_index ? "indices " : "lines ") + std::to_string(run.line[s.begin]) + "-" +
         std::to_string(run.line[s.end - 1]);
}

void check_time_runs_forward(const DscRun& run) {
  for (std::size_t i = 1; i < run.time_s.size(); ++i)
    if (run.time_s[i] < run.time_s[i - 1]) {
      std::ostringstream m;
      m << (run.line_is_index ? "index " : "line ") << run.line[i] << ": time " << run.time_s[i]
        << " s is before the previous row's "
        << run.time_s[i - 1] << " s; time must run forward (a reversed time column turns cooling into heating)";
      fail_input(run.path, m.str());
    }
}

DscRun read_dsc(const std::string& path, const DscReadOptions& options) {
  return read_dsc(read_text_file(path), options);
}

DscRun read_dsc(const TextFile& file, const DscReadOptions& options) {
  DscRun run = read_dsc_any(file, options);
  check_time_runs_forward(run);
  return run;
}

namespace {

DscRun read_dsc_any(const TextFile& file, const DscReadOptions& options) {
  if (looks_like_netzsch_dsc(file.lines)) return read_dsc_netzsch(file, options);
  if (looks_like_ta_universal_dsc(file.lines)) return read_dsc_ta_universal(file, options);
  // Half a signature: say what is missing instead of failing later as a CSV without columns.
  auto any_line = [&](auto&& rule) {
    const std::size_t scan = std::min(file.lines.size(), kDscHeadLines);
    for (std::size_t i = 0; i < scan; ++i)
      if (rule(trim(file.lines[i]))) return true;
    return false;
  };
  if (any_line([](const std::string& l) { return starts_with(l, "##"); }))
    fail_input(file.path, "has a '##' column line but not below an unbroken '#KEY:value' header from the first "
                          "line on (NETZSCH export cut or edited?)");
  if (any_line([](const std::string& l) { return l == "StartOfData"; }))
    fail_input(file.path, "has 'StartOfData' but no 'Nsig' line (TA export without its header?)");
  return read_dsc_generic_csv(file, options);  // the fallback: its errors name the missing column or unit
}

}  // namespace

}  // namespace mgscope

// Study tables, correlations and figures from the samples' report.json files.
#include "pipelines/study_report.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>

#include "fitting/base/error.hpp"
#include "fitting/base/nan.hpp"
#include "mgscope_version.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/config_file.hpp"
#include "pipelines/csv_format.hpp"
#include "pipelines/gnuplot_figure.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/measurement_table.hpp"
#include "pipelines/module_summaries.hpp"
#include "pipelines/report_headlines.hpp"
#include "pipelines/sample_report.hpp"
#include "pipelines/sample_run.hpp"
#include "pipelines/study_page.hpp"
#include "pipelines/unit_style.hpp"

namespace mgscope {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Structural and magnetic quantities whose correlations the study tabulates (science.md: local
// order, relaxation and hardness against the magnetocaloric response).
const std::vector<std::string> kStructural = {"ordered_fraction", "ordered_area_fraction", "crystal_like_fraction",
                                              "nanocrystal_fraction",
                                              "L1_peak", "L2_peak", "tau_1", "hardness"};
const std::vector<std::string> kMagnetic = {"minus_dSm_max", "Tc"};

std::string study_number(double v) { return csv_number(v, 8); }

struct Column {
  std::string key, label, unit;
  std::string module;  // the module that reports it
  std::string field_T = {};  // the applied field of the row's numbers (number_text, T); empty when none
};

const json* find_quantity(const SampleInStudy& s, const std::string& key) {
  if (s.report.is_null()) return nullptr;
  for (const json& mod : s.report["modules"])
    if (mod["quantities"].contains(key)) return &mod["quantities"][key];
  return nullptr;
}

std::string unit_of(const json& quantity) { return quantity.value("unit", ""); }

// The field a number was measured at as its label writes it ("5", "0.2"), so that 4.99999664 T
// and 5 T are one field; empty for a quantity without one.
std::string field_text_of(const json& quantity) {
  const json field = quantity.value("field_T", json());
  return field.is_number() ? number_text(field.get<double>(), 3) : std::string();
}

// The value of `of` most samples report `key` with (on a tie, the first sample's), leaving out
// the samples where it is empty: one sample without a mass (its -dSm in mJ/K) must not set the
// column's unit for the others, nor one with isotherms to 0.2 T only its row's field.
std::string majority_of(const std::vector<SampleInStudy>& samples, const std::string& key,
                        std::string (*of)(const json&), bool count_empty) {
  std::vector<std::pair<std::string, int>> counts;  // in the samples' order
  for (const SampleInStudy& s : samples)
    if (const json* q = find_quantity(s, key); q && (count_empty || !of(*q).empty())) {
      auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == of(*q); });
      if (it == counts.end()) counts.push_back({of(*q), 1});
      else ++it->second;
    }
  auto best = counts.begin();
  for (auto it = counts.begin(); it != counts.end(); ++it)
    if (it->second > best->second) best = it;
  return best == counts.end() ? std::string() : best->first;
}

// Every quantity any sample reports, in report order (module, then its headline first), in the
// unit and at the field most samples report it in. The label comes from a sample at that field:
// the row says "at 5 T" even when the first sample's peak is at 0.2 T.
std::vector<Column> study_columns(const std::vector<SampleInStudy>& samples) {
  std::vector<Column> cols;
  for (const SampleInStudy& s : samples) {
    if (s.report.is_null()) continue;
    for (const json& mod : s.report["modules"])
      for (const std::string& key : ordered_quantity_keys(mod["quantities"])) {
        if (std::any_of(cols.begin(), cols.end(), [&](const Column& c) { return c.key == key; })) continue;
        Column c{key, "", majority_of(samples, key, unit_of, true), mod.value("module", ""),
                 majority_of(samples, key, field_text_of, false)};
        for (const SampleInStudy& other : samples)
          if (const json* q = find_quantity(other, key); q && c.label.empty() && field_text_of(*q) == c.field_T)
            c.label = q->value("label", key);
        if (c.label.empty()) c.label = mod["quantities"][key].value("label", key);
        cols.push_back(c);
      }
  }
  return cols;
}

// Why a sample's number stays out of a column: in another unit, or at another field than the
// row's ("" when it belongs there). A number without a field (an older report.json) is not judged.
std::string out_of_column_note(const json& quantity, const Column& column) {
  std::string why;
  if (unit_of(quantity) != column.unit)
    why = "reported in " + (unit_of(quantity).empty() ? std::string("no unit") : unit_of(quantity)) +
          ", not in the column's " + (column.unit.empty() ? std::string("no unit") : column.unit);
  const std::string field = field_text_of(quantity);
  if (!field.empty() && !column.field_T.empty() && field != column.field_T)
    why += (why.empty() ? "" : "; ") + std::string("at ") + field + " T, not the row's " + column.field_T + " T";
  return why.empty() ? why : "n/a: " + why + "; left out of the study's figures and correlations";
}

// The cell of a quantity a sample lacks because the module that gives it failed there: an n/a with
// the module's error (the cell was blank, while a failed M(T) file's Tc beside it said why).
// Null when the sample has no such module (not measured) or the module ran, and for a column no
// module gives (the power-law figure's axes): those had matched a module without a name, whose
// "error" was then read with the const operator[], undefined for a missing key (nlohmann reads
// past the object, into the next heap block: a segfault of pipelines_sample_test in session 41).
json failed_module_cell(const SampleInStudy& s, const Column& column) {
  if (s.report.is_null() || column.module.empty()) return nullptr;
  for (const json& mod : s.report["modules"]) {
    const json error_of = mod.value("error", json());
    if (mod.value("module", "") != column.module || !error_of.is_string()) continue;
    std::string error = error_of.get<std::string>();
    if (error.rfind("ERROR: ", 0) == 0) error.erase(0, 7);
    const std::string reason = "the " + column.module + " module failed: " + error;
    return {{"label", column.label}, {"value", nullptr}, {"unit", column.unit}, {"uncertainty", {{"kind", "none"}}},
            {"reason", reason}, {"warnings", {"n/a: " + reason}}};  // so study.csv says it too
  }
  return nullptr;
}

// A sample's quantity as a column shows it: itself when its unit and field are the column's, else
// an n/a that keeps the number aside under `reported` and says why, first among its warnings. A
// sample without a mass gives -dSm in mJ/K: under J/(kg K) it turned a correlation of r = 0.88
// into -0.03; one whose isotherms reach 0.2 T only put its 0.08 J/(kg K) among peaks at 5 T.
// Null when the sample lacks the quantity.
json study_cell(const SampleInStudy& s, const Column& column) {
  const json* q = find_quantity(s, column.key);
  if (!q) return failed_module_cell(s, column);
  const std::string note = out_of_column_note(*q, column);
  if (note.empty()) return *q;
  json cell = *q;
  cell["reported"] = {{"value", q->value("value", json())}, {"unit", unit_of(*q)}};
  if (q->contains("field_T")) cell["reported"]["field_T"] = (*q)["field_T"];
  cell["value"] = nullptr;
  cell["uncertainty"] = {{"kind", "none"}};
  cell["reason"] = note.substr(5);  // the page writes "n/a: " before a reason
  std::vector<std::string> warnings = {note};
  for (const std::string& w : quantity_warnings(*q)) warnings.push_back(w);
  cell["warnings"] = warnings;
  return cell;
}

// Every sample's cell of every column (study_cell), [sample][column].
std::vector<std::vector<json>> study_cells(const std::vector<SampleInStudy>& samples, const std::vector<Column>& cols) {
  std::vector<std::vector<json>> cells(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i)
    for (const Column& c : cols) cells[i].push_back(study_cell(samples[i], c));
  return cells;
}

// The value a column, figure or correlation uses: NaN when absent, n/a or in another unit.
double cell_value(const json& cell) { return cell.is_null() ? kNaN : quantity_value(cell); }

// Why a sample's value cell of `column` is empty ("" when it holds a number): the n/a's own reason
// (a DSC's "no crystallisation peak found ...", a failed module's error, another unit), or why the
// sample has no such number. study.csv gave an empty cell without a word of why.
std::string empty_cell_reason(const SampleInStudy& s, const json& cell, const Column& column) {
  if (!cell.is_null()) {
    if (std::isfinite(cell_value(cell))) return "";
    const json reason = cell.value("reason", json());
    return reason.is_string() ? reason.get<std::string>() : "not determined";
  }
  if (s.report.is_null()) return "not analysed (see failures)";
  for (const json& mod : s.report["modules"])
    if (!column.module.empty() && mod.value("module", "") == column.module)
      return "not given by its " + column.module + " module";
  return column.module.empty() ? "not given" : "not measured (its manifest has no [" + column.module + "] table)";
}

double treatment_of(const SampleInStudy& s, const std::string& name) {
  if (s.report.is_null()) return kNaN;
  const json& t = s.report["sample"]["treatment"];
  return t.contains(name) && t[name].is_number() ? t[name].get<double>() : kNaN;
}

std::string sample_name(const SampleInStudy& s) {
  return s.report.is_null() ? s.manifest : s.report["sample"]["name"].get<std::string>();
}

std::string read_all_text(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

// `s` as literal text in a gnuplot enhanced-text label (so a unit beside it can carry powers).
std::string enhanced_text(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (std::string("_^{}@&~\\").find(c) != std::string::npos) o += '\\';
    o += c;
  }
  return o;
}

// Fig. 7: -dSm_max against Tp on log-log axes; the reference alloys and their power-law fit
// when `mgscope powerlaw` ran (`fit`: its summary, unusable when none), and this study's samples on
// top, a doubted one ringed as in the other figures (their names to `doubted`). None without a
// sample to draw.
std::optional<GnuplotFigure> powerlaw_figure(const std::vector<SampleInStudy>& samples, const fs::path& out_dir,
                                             const fs::path& powerlaw_dir, const PowerLawSummary& fit,
                                             std::vector<std::string>& doubted) {
  std::ostringstream own;
  own << "# Tp_K minus_dSm_max_JkgK doubted\n";
  std::vector<double> xs, ys;  // everything drawn, for axes that fit it
  // The axes' units: a -dSm in mJ/K (no sample mass) is left out like in its study column.
  // So are the peaks at another field than most samples' (the study's -dSm row).
  const std::string field_T = majority_of(samples, "minus_dSm_max", field_text_of, false);
  const Column tp_K{"Tp", "", "K", "mce", field_T}, dsm_JkgK{"minus_dSm_max", "", "J/(kg K)", "mce", field_T};
  for (const SampleInStudy& s : samples) {
    const json tp_cell = study_cell(s, tp_K), ds_cell = study_cell(s, dsm_JkgK);
    const double tp = cell_value(tp_cell), ds = cell_value(ds_cell);
    if (!std::isfinite(tp) || !std::isfinite(ds)) continue;
    const bool doubt = !quantity_warnings(tp_cell).empty() || !quantity_warnings(ds_cell).empty();
    own << study_number(tp) << ' ' << study_number(ds) << ' ' << (doubt ? 1 : 0) << '\n';
    if (doubt) doubted.push_back(sample_name(s));
    xs.push_back(tp);
    ys.push_back(ds);
  }
  if (xs.empty()) return std::nullopt;
  GnuplotFigure fig;
  fig.png = out_dir / "study_powerlaw.png";
  fig.data_files = {{"study_powerlaw_samples.dat", own.str()}};
  std::string plot =
      "plot 'study_powerlaw_samples.dat' using 1:2 with points pt 5 ps 1.4 lc rgb '#d62728' title 'this study'";
  // A doubted sample is ringed, as in the figures against the treatment (it was drawn plain here).
  if (!doubted.empty())
    plot +=
        ", '' using 1:($3 > 0 ? $2 : 1/0) with points pt 6 ps 2.8 lw 2 lc rgb '#cc6600' title "
        "'ringed: doubted by a warning (see study.html)'";
  if (!powerlaw_dir.empty()) {
    const std::string points = read_all_text(powerlaw_dir / "powerlaw_points.dat");
    if (!points.empty()) {
      fig.data_files.push_back({"study_powerlaw_reference.dat", points});
      std::istringstream lines(points);
      for (std::string line; std::getline(lines, line);) {
        std::istringstream row(line);
        double x = 0, y = 0;
        if (line.empty() || line[0] == '#' || !(row >> x >> y)) continue;
        xs.push_back(x);
        ys.push_back(y);
      }
      plot += ", 'study_powerlaw_reference.dat' using 1:2 with points pt 7 lc rgb '#1f77b4' title 'reference alloys'";
    }
    if (fit.usable) {
      // The fit's doubts are on study.html; the legend says there are some, as a ring does for a sample.
      char line[240];
      std::snprintf(line, sizeof line, ", %.10g*x**(%.10g) lw 2 lc rgb 'black' title 'fit: n = %.3f ± %.3f (N = %d)%s'",
                    fit.prefactor_a, fit.exponent_n, fit.exponent_n, fit.exponent_se, fit.n_points,
                    fit.warnings.empty() ? "" : " ⚠ doubted (see study.html)");
      plot += line;
    }
  }
  fig.script = tight_log_axes(xs, ys) + "set xlabel 'T_p (K)'\nset ylabel '-ΔS_M^{max} (J kg^{-1} K^{-1})'\n"
               "set grid\nset key bottom left\n" + plot + "\n";
  return fig;
}

// The samples in treatment order for the table and the figures; those without a value (no such
// key in their [treatment]) last, in the study's order. A NaN compared with `<` had broken the
// sort: rows came out 20, -, -, 0, 40 and the trend line zig-zagged.
std::vector<std::size_t> treatment_order(const StudyManifest& study, const std::vector<SampleInStudy>& samples) {
  std::vector<std::size_t> order(samples.size());
  std::iota(order.begin(), order.end(), 0);
  auto rank = [&](std::size_t i) {
    const double t = treatment_of(samples[i], study.treatment);
    return std::isfinite(t) ? std::pair<int, double>{0, t} : std::pair<int, double>{1, 0.0};
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rank(a) < rank(b); });
  return order;
}

// What the study doubts of its samples as a whole: one without the treatment value, two under
// one name (two columns alike on study.html).
std::vector<std::string> sample_warnings(const StudyManifest& study, const std::vector<SampleInStudy>& samples) {
  std::vector<std::string> warnings;
  for (const SampleInStudy& s : samples)
    if (!s.report.is_null() && !std::isfinite(treatment_of(s, study.treatment)))
      warnings.push_back(sample_name(s) + " (" + s.manifest + "): no \"" + study.treatment +
                         "\" in its [treatment] table: listed last, and left out of the figures against " +
                         study.treatment_label + " (its numbers still enter the correlations, which do not use it)");
  for (std::size_t i = 0; i < samples.size(); ++i)
    for (std::size_t j = i + 1; j < samples.size(); ++j)
      if (!samples[i].report.is_null() && !samples[j].report.is_null() &&
          sample_name(samples[i]) == sample_name(samples[j]))
        warnings.push_back("samples " + samples[i].manifest + " and " + samples[j].manifest +
                           " have the same name \"" + sample_name(samples[i]) +
                           "\": study.html heads their columns with their folders too, study.csv tells them apart "
                           "by the manifest; give them distinct names");
  return warnings;
}

// The power law's warnings among the study's, each saying what it is about.
std::vector<std::string> powerlaw_warnings(const json& module) {
  std::vector<std::string> out;
  if (module.is_null()) return out;
  for (const json& w : module.value("warnings", json::array())) out.push_back("powerlaw: " + w.get<std::string>());
  return out;
}

json powerlaw_module_of(const PowerLawSummary& fit, const std::string& status) {
  json quantities = json::object();
  if (fit.usable) {
    quantities["exponent_n"] = {{"label", "power-law exponent n"},
                                {"value", json_number(fit.exponent_n)},
                                {"unit", "1"},
                                {"uncertainty", {{"kind", "se"}, {"se", json_number(fit.exponent_se)}}},
                                {"warnings", fit.warnings}};
    quantities["prefactor_a"] = {{"label", "prefactor a"},
                                 {"value", json_number(fit.prefactor_a)},
                                 {"unit", ""},
                                 {"uncertainty", {{"kind", "none"}}},
                                 {"warnings", fit.warnings}};
  }
  return {{"module", "powerlaw"}, {"title", "Power law across alloys"}, {"status", status},
          {"N", fit.n_points},    {"warnings", fit.warnings},           {"quantities", quantities}};
}

}  // namespace

json powerlaw_module(const fs::path& powerlaw_dir, const std::string& status) {
  return powerlaw_module_of(read_powerlaw_summary(powerlaw_dir / "powerlaw.json"), status);
}

std::string sample_status(const SampleInStudy& sample) {
  if (!sample.failures.empty() || sample.report.is_null()) return "failed";
  const json& modules = sample.report["modules"];
  const bool none_ran = !modules.empty() && std::all_of(modules.begin(), modules.end(), [](const json& mod) {
    return mod.value("status", "") == "up-to-date";
  });
  return none_ran ? "up-to-date" : "ok";
}

std::size_t sample_warning_count(const SampleInStudy& sample) {
  std::size_t n = 0;
  if (!sample.report.is_null())
    for (const json& mod : sample.report["modules"]) n += mod.value("warnings", json::array()).size();
  return n;
}

std::string sample_status_text(const SampleInStudy& sample) {
  const std::string status = sample_status(sample);
  if (status == "failed") return status;
  const std::size_t n = sample_warning_count(sample);
  // In words, as the terminal's module lines write it ("up to date", not report.json's "up-to-date").
  const std::string words = status == "up-to-date" ? "up to date" : status;
  return n == 0 ? words : words + " with " + std::to_string(n) + (n == 1 ? " warning" : " warnings");
}

StudyManifest read_study_manifest(const fs::path& path) {
  const std::string p = path.string();
  const toml::table t = parse_toml_file(p);
  StudyManifest s;
  s.path = path;
  std::vector<std::string> written;  // the samples as the file gives them, for its warnings
  for (const auto& [k, node] : t) {
    const std::string key(k.str());
    if (key == "samples") {
      const toml::array* arr = node.as_array();
      if (!arr) fail_input(p, "key 'samples': expected an array of sample manifests");
      for (const toml::node& item : *arr) {
        auto v = item.value<std::string>();
        if (!v) fail_input(p, "key 'samples': expected strings (paths of sample.toml files)");
        s.samples.push_back((fs::absolute(path).parent_path() / *v).lexically_normal().string());
        written.push_back(*v);
      }
    } else if (key == "powerlaw") {
      static const ModuleSpec spec{"powerlaw", true, {}};
      const toml::table* table = node.as_table();
      if (!table) fail_input(p, "key 'powerlaw': expected a table [powerlaw] with files = [\"table.csv\"]");
      s.powerlaw = read_measurement(spec, *table, fs::absolute(path).parent_path(), p);
    } else if (key == "name" || key == "treatment" || key == "treatment_label") {
      auto v = node.value<std::string>();
      if (!v) fail_input(p, "key '" + key + "': expected a string");
      (key == "name" ? s.name : key == "treatment" ? s.treatment : s.treatment_label) = *v;
    } else {
      fail_input(p, "key '" + key + "': unknown (expected name, treatment, treatment_label, samples, powerlaw)");
    }
  }
  if (s.treatment.empty()) fail_input(p, "key 'treatment': missing (the treatment variable, e.g. \"ctc_cycles\")");
  if (s.samples.empty()) fail_input(p, "key 'samples': missing or empty");
  // A sample listed twice was analysed twice and counted twice in the correlations.
  const std::vector<std::size_t> first = first_of_same_file(s.samples);
  std::vector<std::string> distinct;
  for (std::size_t i = 0; i < s.samples.size(); ++i) {
    if (first[i] == i) distinct.push_back(s.samples[i]);
    else s.warnings.push_back(p + ": key 'samples': \"" + written[i] + "\" is the same file as \"" + written[first[i]] +
                              "\": analysed once");
  }
  s.samples = distinct;
  if (s.name.empty()) s.name = path.stem().string();
  if (s.treatment_label.empty()) s.treatment_label = s.treatment;
  return s;
}

void check_study_treatment(const StudyManifest& study) {
  std::set<std::string> keys;
  bool any_read = false;
  for (const std::string& m : study.samples) {
    try {
      const SampleManifest sample = read_sample_manifest(m);
      any_read = true;
      if (sample.treatment.count(study.treatment)) return;
      for (const auto& [key, value] : sample.treatment) keys.insert(key);
    } catch (const std::exception&) {
      // An unreadable manifest fails its sample when it runs, with its own message.
    }
  }
  if (!any_read) return;
  std::string known;
  for (const std::string& k : keys) known += (known.empty() ? "" : ", ") + k;
  fail_input(study.path.string(), "key 'treatment': no sample has \"" + study.treatment +
                                      "\" in its [treatment] table (" +
                                      (known.empty() ? std::string("they have no treatment values")
                                                     : "the keys they have: " + known) + ")");
}

namespace {

// The modules the terminal gave a "<status> with N warnings" line (doubted_numbers_text): those with
// warnings that did not fail.
std::vector<std::string> modules_with_warnings(const json& report) {
  std::vector<std::string> out;
  if (report.is_null()) return out;
  for (const json& mod : report["modules"])
    if (mod.value("status", "") != "failed" && !mod.value("warnings", json::array()).empty())
      out.push_back(mod.value("module", ""));
  return out;
}

}  // namespace

std::string study_samples_text(const std::vector<SampleInStudy>& samples, const json& powerlaw) {
  std::string not_analysed, module_failed, warned;
  int n_not_analysed = 0, n_module_failed = 0, n_warned = 0;
  std::size_t warned_modules = 0;
  for (const SampleInStudy& s : samples) {
    const std::string name = s.out_dir.filename().string();
    if (const std::vector<std::string> modules = modules_with_warnings(s.report); !modules.empty()) {
      std::string which;
      for (const std::string& m : modules) which += (which.empty() ? "" : ", ") + m;
      warned += (warned.empty() ? "" : ", ") + name + " (" + which + ")";
      ++n_warned;
      warned_modules += modules.size();
    }
    if (s.failures.empty()) continue;
    std::string& list = s.report.is_null() ? not_analysed : module_failed;
    list += (list.empty() ? "" : ", ") + name;
    ++(s.report.is_null() ? n_not_analysed : n_module_failed);
  }
  std::string out = std::to_string(samples.size()) + (samples.size() == 1 ? " sample" : " samples");
  std::string notes;
  if (n_not_analysed) notes = std::to_string(n_not_analysed) + " not analysed: " + not_analysed;
  if (n_module_failed)
    notes += (notes.empty() ? "" : "; ") + std::to_string(n_module_failed) + " with a failed module: " + module_failed;
  if (n_warned)
    notes += (notes.empty() ? "" : "; ") + std::to_string(n_warned) + " with warnings in " +
             std::to_string(warned_modules) + (warned_modules == 1 ? " module: " : " modules: ") + warned;
  if (!notes.empty()) out += " (" + notes + ")";
  if (powerlaw.is_object() && !powerlaw.value("warnings", json::array()).empty())
    out += "; powerlaw " + module_status_text(powerlaw);
  return out;
}

std::vector<std::string> write_study_outputs(const StudyManifest& study, const std::vector<SampleInStudy>& samples,
                                             const fs::path& out_dir, const fs::path& powerlaw_dir, int threads,
                                             const std::string& powerlaw_status) {
  std::vector<std::string> warnings;
  const std::vector<Column> cols = study_columns(samples);
  const std::vector<std::vector<json>> cells = study_cells(samples, cols);
  for (std::size_t i = 0; i < samples.size(); ++i)
    for (std::size_t k = 0; k < cols.size(); ++k)
      if (cells[i][k].contains("reported"))
        warnings.push_back(sample_name(samples[i]) + ": " + cols[k].key + " " +
                           quantity_warnings(cells[i][k]).front().substr(5));
  for (const std::string& w : sample_warnings(study, samples)) warnings.push_back(w);
  const std::vector<std::size_t> order = treatment_order(study, samples);

  // study.csv: a row per sample; each quantity with the ends of its error bar.
  std::ostringstream csv;
  // `failures` says what failed (a manifest's syntax error with its line); `status` alone said "failed".
  csv << "sample,manifest,status,failures," << csv_field(study.treatment);
  // Each quantity with the ends of its error bar and the warnings that doubt it (" | " between
  // them; empty for an undoubted number).
  for (const Column& c : cols) {
    for (const char* suffix : {"", "_err_low", "_err_high"}) csv << ',' << csv_field(with_unit(c.key + suffix, c.unit));
    csv << ',' << csv_field(c.key + "_warnings");
  }
  // Last, so that the columns before keep their places: "<key>: <reason>" for each empty value cell.
  csv << ",na_reasons\n";
  json rows = json::array();
  for (std::size_t i : order) {
    const SampleInStudy& s = samples[i];
    csv << csv_field(sample_name(s)) << ',' << csv_field(s.manifest) << ',' << sample_status_text(s) << ','
        << csv_list(s.failures) << ',' << study_number(treatment_of(s, study.treatment));
    json quantities = json::object(), na_reasons = json::object();
    std::vector<std::string> na_list;
    for (std::size_t k = 0; k < cols.size(); ++k) {
      const json& q = cells[i][k];
      const auto [lo, hi] = q.is_null() ? std::pair<double, double>{kNaN, kNaN} : error_bar(q);
      csv << ',' << study_number(cell_value(q)) << ',' << study_number(lo) << ',' << study_number(hi) << ','
          << csv_list(q.is_null() ? std::vector<std::string>{} : quantity_warnings(q));
      if (!q.is_null()) quantities[cols[k].key] = q;
      if (const std::string why = empty_cell_reason(s, q, cols[k]); !why.empty()) {
        na_reasons[cols[k].key] = why;
        na_list.push_back(cols[k].key + ": " + why);
      }
    }
    csv << ',' << csv_list(na_list) << '\n';
    rows.push_back({{"name", sample_name(s)},
                    {"manifest", s.manifest},
                    // From the study's folder: as given on the command line it changed with the folder the
                    // study was run from ("../out/samples/A" or "out/samples/A").
                    {"out_dir", fs::proximate(s.out_dir, out_dir).generic_string()},
                    {"treatment", json_number(treatment_of(s, study.treatment))},
                    // A program reads `status` (ok, up-to-date or failed, as report.json's modules) and
                    // `warning_count`; `status_text` is what study.csv, study.html and the terminal say.
                    {"status", sample_status(s)},
                    {"status_text", sample_status_text(s)},
                    {"warning_count", sample_warning_count(s)},
                    {"failures", s.failures},
                    {"quantities", quantities},
                    // Why each empty number is empty, as study.csv's na_reasons: also for a quantity the
                    // sample lacks (not measured, not analysed), which `quantities` leaves out.
                    {"na_reasons", na_reasons}});
  }
  write_file_atomic(out_dir / "study.csv", csv.str());

  // correlations.csv: structural against magnetic quantities over the samples that have both.
  std::ostringstream corr;
  corr << "structural,magnetic,n,pearson_r,p_value,r_ci95_low,r_ci95_high,warnings\n";
  json correlations = json::array();
  auto values = [&](const std::string& key) {
    std::vector<double> v(samples.size(), kNaN);
    for (std::size_t k = 0; k < cols.size(); ++k)
      if (cols[k].key == key)
        for (std::size_t i = 0; i < samples.size(); ++i) v[i] = cell_value(cells[i][k]);
    return v;
  };
  for (const std::string& a : kStructural)
    for (const std::string& b : kMagnetic) {
      const Correlation c = pearson(values(a), values(b));
      // An r over doubted numbers is doubted too (an r that is not there has nothing to doubt).
      const json doubted_by = std::isfinite(c.r) ? correlation_doubted_by(rows, a, b) : json::array();
      const std::string doubt = correlation_doubt_warning(doubted_by);
      corr << a << ',' << b << ',' << c.n << ',' << study_number(c.r) << ',' << study_number(c.p_value) << ','
           << study_number(c.r_95.low) << ',' << study_number(c.r_95.high) << ',' << csv_field(doubt) << '\n';
      correlations.push_back({{"structural", a}, {"magnetic", b}, {"n", c.n}, {"pearson_r", json_number(c.r)},
                              {"p_value", json_number(c.p_value)},
                              {"r_ci95", {json_number(c.r_95.low), json_number(c.r_95.high)}},
                              {"warnings", doubt.empty() ? json::array() : json::array({doubt})},
                              {"doubted_by", doubted_by}});
    }
  write_file_atomic(out_dir / "correlations.csv", corr.str());

  // One figure per quantity against the treatment, with error bars, then Fig. 7; drawn together.
  std::vector<GnuplotFigure> to_draw;
  std::vector<json> drawn_entries;  // study.json's entry of each figure of to_draw
  for (std::size_t k = 0; k < cols.size(); ++k) {
    const Column& c = cols[k];
    std::ostringstream dat;
    dat << "# " << study.treatment << " value err_low err_high doubted\n";
    int points = 0, doubted = 0;
    for (std::size_t i : order) {
      const json& q = cells[i][k];
      const double t = treatment_of(samples[i], study.treatment), v = cell_value(q);
      if (!std::isfinite(t) || !std::isfinite(v)) continue;
      auto [lo, hi] = error_bar(q);
      dat << study_number(t) << ' ' << study_number(v) << ' '
          << (std::isfinite(lo) ? study_number(lo) : study_number(v)) << ' '
          << (std::isfinite(hi) ? study_number(hi) : study_number(v));
      const bool doubt = !quantity_warnings(q).empty();
      dat << ' ' << (doubt ? 1 : 0) << '\n';
      ++points;
      doubted += doubt;
    }
    if (points == 0) continue;
    GnuplotFigure fig;
    const std::string stem = "study_" + c.key;
    fig.png = out_dir / (stem + ".png");
    fig.width_px = 640;
    fig.height_px = 460;
    fig.data_files = {{stem + ".dat", dat.str()}};
    fig.script = "set xlabel " + gnuplot_quoted(study.treatment_label) + " noenhanced\nset ylabel " +
                 gnuplot_quoted(enhanced_text(c.label) +
                                (c.unit.empty() || c.unit == "1" ? "" : " (" + gnuplot_unit(c.unit) + ")")) +
                 "\nset grid\n" + (doubted ? "set key below\n" : "set key off\n") +
                 "set offsets graph 0.05, graph 0.05, graph 0.1, graph 0.1\n" + "plot '" + stem +
                 ".dat' using 1:2 with lines lc rgb '#8899bb' notitle, '' using 1:2:3:4 with yerrorbars pt 7 ps 1.3 "
                 "lc rgb '#223377' notitle" +
                 // A doubted point is ringed, as its cell in study.html is marked.
                 (doubted ? ", '' using 1:($5 > 0 ? $2 : 1/0) with points pt 6 ps 2.6 lw 2 lc rgb '#cc6600' title "
                            "'ringed: doubted by a warning (see study.html)'"
                          : std::string()) +
                 "\n";
    to_draw.push_back(std::move(fig));
    drawn_entries.push_back({{"quantity", c.key}, {"png", stem + ".png"}});
  }
  // The power law as a module with its doubts (null when it did not run or cannot be read).
  PowerLawSummary fit;
  json powerlaw = nullptr;
  if (!powerlaw_dir.empty()) {
    try {
      fit = read_powerlaw_summary(powerlaw_dir / "powerlaw.json");
      powerlaw = powerlaw_module_of(fit, powerlaw_status);
      // "up to date with 1 warning", as the terminal says it; `status` stays ok or up-to-date.
      powerlaw["status_text"] = module_status_text(powerlaw);
    } catch (const std::exception& e) {
      warnings.push_back(e.what());  // names the file
    }
  }
  std::vector<std::string> powerlaw_doubted;  // samples ringed on its figure
  if (auto fig = powerlaw_figure(samples, out_dir, powerlaw_dir, fit, powerlaw_doubted)) {
    to_draw.push_back(std::move(*fig));
    drawn_entries.push_back({{"quantity", "powerlaw"}, {"png", "study_powerlaw.png"}, {"doubted", powerlaw_doubted}});
  }
  json figures = json::array();
  const std::vector<std::string> figure_warnings = render_figures(to_draw, threads);
  for (std::size_t i = 0; i < to_draw.size(); ++i)
    if (figure_warnings[i].empty())
      figures.push_back(drawn_entries[i]);
    else
      warnings.push_back(figure_warnings[i]);
  std::vector<std::string> all_warnings = study.warnings;  // the study file's own first
  // The power law's the terminal gave under its module line (so not returned), then the others.
  for (const std::string& w : powerlaw_warnings(powerlaw)) all_warnings.push_back(w);
  all_warnings.insert(all_warnings.end(), warnings.begin(), warnings.end());

  json study_json = {{"schema", "mgscope-study/1"},
                     {"program", {{"name", "mgscope"}, {"version", kVersion}}},
                     {"name", study.name},
                     {"manifest", fs::absolute(study.path).lexically_normal().string()},
                     {"treatment", study.treatment},
                     {"samples", rows},
                     {"correlations", correlations},
                     {"figures", figures},
                     {"powerlaw", powerlaw},
                     {"warnings", all_warnings}};
  write_json_atomic(out_dir / "study.json", study_json);

  // study.html, and the way back from each sample's page.
  StudyPageParts parts;
  parts.columns = json::array();
  for (const Column& c : cols)
    parts.columns.push_back({{"key", c.key}, {"label", c.label}, {"unit", c.unit}, {"module", c.module}});
  parts.rows = rows;
  for (std::size_t k = 0; k < order.size(); ++k) parts.rows[k]["link"] = sample_page_link(samples[order[k]], out_dir);
  parts.correlations = correlations;
  parts.figures = figures;
  parts.powerlaw = powerlaw;
  parts.warnings = all_warnings;
  write_file_atomic(out_dir / "study.html", study_page_html(study, parts, out_dir));
  link_sample_pages_to_study(samples, out_dir);
  return warnings;
}

}  // namespace mgscope

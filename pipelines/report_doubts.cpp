#include "pipelines/report_doubts.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <vector>

#include "fitting/base/text_file.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "pipelines/report_warnings.hpp"

namespace mgscope {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The top-level section of its summary each headline is read from, for the summaries that keep
// a section's doubts in it (docs/schemas). A headline not listed is read from the whole summary.
const std::map<std::string, std::string>& sections_of(const std::string& module) {
  static const std::map<std::string, std::map<std::string, std::string>> sections = {
      {"hrtem", {{"ordered_area_fraction", "area_map"}, {"nanocrystal_median_diameter", "nanocrystals"}}},
      {"mce",
       {{"Tc", "curie"},
        {"minus_dSm_max", "entropy"},
        {"Tp", "entropy"},
        {"RCP", "entropy"},
        {"beta", "critical"},
        {"gamma", "critical"},
        {"delta", "critical"},
        {"Tc_crit", "critical"},
        {"critical_model", "critical"},
        {"universal_curve", "universal_curve"}}}};
  static const std::map<std::string, std::string> none;
  const auto it = sections.find(module);
  return it == sections.end() ? none : it->second;
}

struct SummaryFile {
  json summary;
  std::string context;  // what its doubts are about when the module has several files (an image)
  bool series = false;  // an in-situ series' summary: its doubts are those of the series' numbers
  // mce.json's input files, each with whether it is an M(T) file (Tc comes from it, every other
  // number from the isotherms); empty for the other modules.
  std::vector<std::pair<std::string, bool>> inputs;
};

json read_or_null(const fs::path& p) {
  std::ifstream in(p);
  return in ? json::parse(in, nullptr, false) : json();
}

std::vector<std::pair<std::string, bool>> mce_inputs(const json& mce) {
  std::set<std::string> mt_files;
  for (const json& c : mce.value("curie", json::array()))
    if (c.is_object() && c.value("file", json()).is_string()) mt_files.insert(c["file"].get<std::string>());
  std::vector<std::pair<std::string, bool>> out;
  for (const json& in : mce.value("inputs", json::array()))
    if (in.is_object() && in.value("file", json()).is_string() && !in["file"].get<std::string>().empty())
      out.emplace_back(in["file"].get<std::string>(), mt_files.count(in["file"].get<std::string>()) > 0);
  return out;
}

// A doubt that begins with an input's path is about that file, so it bears on the numbers
// computed from it only (mce: Tc from the M(T) files, the rest from the isotherms); a doubt that
// names no input (no mass given, ...) bears on all.
bool bears_on(const SummaryFile& f, const std::string& key, const std::string& doubt) {
  // Few ordered boxes doubt the fractions, not how strong fringes must be to be seen.
  if (key == "detection_contrast_90" && doubt.find(kFalseAlarmWords) != std::string::npos) return false;
  for (const auto& [path, is_mt] : f.inputs) {
    const bool names = doubt.compare(0, path.size(), path) == 0 &&
                       (doubt.size() == path.size() || doubt[path.size()] == ':' || doubt[path.size()] == ' ' ||
                        doubt[path.size()] == ',');
    if (names) return is_mt == (key == "Tc");
  }
  return true;
}

bool is_series_number(const std::string& key) { return key.rfind("ordered_fraction_series_", 0) == 0; }

// A DSC sample's summary entry says which of its doubts bear on which number ("number_warnings"):
// every doubt on every number doubted a Tx of the reference heating by the first heating's
// missing Tg. Each is named by its sample, as the generic walk names it. False (nothing added)
// for a summary written before the field was.
bool add_dsc_number_warnings(const json& summary, const std::string& key, json& warnings) {
  static const std::map<std::string, std::string> field_of = {{"Tg", "Tg_onset_K"}, {"Tx", "Tx_onset_K"},
                                                              {"Tm", "Tm_onset_K"}, {"dTx", "dTx_K"},
                                                              {"dH_x", "dH_x"},     {"dH_rel", "dH_rel"}};
  const auto field = field_of.find(key);
  const json& samples = summary.is_object() ? summary.value("samples", json()) : json();
  if (field == field_of.end() || !samples.is_array()) return false;
  for (const json& s : samples)
    if (!s.is_object() || !s.value("number_warnings", json()).is_object()) return false;
  for (const json& s : samples) {
    // The path when the file names no sample (the walk then named none).
    const json& sample = s.value("sample", json());
    const std::string name = sample.is_string() && !sample.get<std::string>().empty() ? sample.get<std::string>()
                                                                                      : s.value("path", std::string());
    const std::string label = fs::path(name).filename().string();
    for (const json& w : s["number_warnings"].value(field->second, json::array()))
      if (w.is_string()) warnings.push_back(label.empty() ? w.get<std::string>() : label + ": " + w.get<std::string>());
  }
  return true;
}

// A creep number rests on the curves its statistic averages (summary.json's
// repeats.<stat>.doubted_curves): it carries those curves' warnings, the statistic's own "rests on"
// line, and the doubts that name no curve, each as the module's list words it (`all`). Every curve's
// doubt on every number had given tau_2 the warnings of a single-unit curve it does not average.
// False (nothing added) for a summary written before the field was.
bool add_creep_number_warnings(const json& summary, const std::string& key, const std::vector<std::string>& all,
                               json& warnings) {
  static const std::map<std::string, std::string> stat_of = {{"tau_1", "tau1_s"},
                                                             {"tau_2", "tau2_s"},
                                                             {"L1_peak", "peak1_L_per_GPa"},
                                                             {"L2_peak", "peak2_L_per_GPa"},
                                                             {"L1_tau", "peak1_tau_s"},
                                                             {"L2_tau", "peak2_tau_s"}};
  const auto stat = stat_of.find(key);
  if (stat == stat_of.end() || !summary.is_object()) return false;
  const json& s = summary.value("repeats", json()).value(stat->second, json());
  if (!s.is_object() || !s.value("doubted_curves", json()).is_array()) return false;
  // A curve's doubts are "<its file name>: ..." in the module's list (label_of in report_warnings).
  const auto prefix = [](const std::string& source) { return fs::path(source).filename().string() + ": "; };
  std::vector<std::string> curves, doubted;
  for (const json& c : summary.value("curves", json::array()))
    if (c.is_object() && c.value("source", json()).is_string()) curves.push_back(prefix(c["source"]));
  for (const json& c : s["doubted_curves"])
    if (c.is_string()) doubted.push_back(prefix(c.get<std::string>()));
  const auto starts_with_any = [](const std::string& w, const std::vector<std::string>& prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return w.rfind(p, 0) == 0; });
  };
  std::vector<std::string> own;  // the statistic's "rests on" line, however the list labels it
  for (const json& w : s.value("warnings", json::array()))
    if (w.is_string()) own.push_back(w.get<std::string>());
  for (const std::string& w : all) {
    const bool of_a_curve = starts_with_any(w, curves), of_repeats = w.rfind("repeats, ", 0) == 0;
    const bool own_line =
        of_repeats && std::any_of(own.begin(), own.end(), [&](const std::string& o) { return ends_with(w, o); });
    if ((of_a_curve && starts_with_any(w, doubted)) || own_line || (!of_a_curve && !of_repeats)) warnings.push_back(w);
  }
  return true;
}

// E carries the hardness summary's doubts but those listed for the mean H alone (hardness_GPa's
// warnings that modulus_GPa's lack: H changing with depth), each as the module's list words it (`all`).
// False (nothing added) for the other numbers.
bool add_hardness_number_warnings(const json& summary, const std::string& key, const std::vector<std::string>& all,
                                  json& warnings) {
  if (key != "modulus" || !summary.is_object()) return false;
  auto texts = [&](const char* mean) {
    std::set<std::string> out;
    const auto m = summary.find(mean);
    if (m == summary.end() || !m->is_object()) return out;  // a summary of another version
    const json list = m->value("warnings", json::array());
    if (list.is_array())
      for (const json& w : list)
        if (w.is_string()) out.insert(w.get<std::string>());
    return out;
  };
  const std::set<std::string> of_E = texts("modulus_GPa");
  std::vector<std::string> of_H_alone;
  for (const std::string& w : texts("hardness_GPa"))
    if (!of_E.count(w)) of_H_alone.push_back(w);
  for (const std::string& w : all) {
    const bool H_alone = std::any_of(of_H_alone.begin(), of_H_alone.end(),
                                     [&](const std::string& h) { return w == h || ends_with(w, ": " + h); });
    if (!H_alone) warnings.push_back(w);
  }
  return true;
}

// A sample's HRTEM numbers pool its images' boxes: an image's false-alarm doubt gives way to the
// pool's (pooled_false_alarm_doubts), from the images' summaries (ordered and specimen boxes, alpha).
void pool_hrtem_false_alarms(const std::vector<SummaryFile>& files, json& warnings) {
  long ordered = 0, boxes = 0;
  double alpha = 0;
  int images = 0;
  for (const SummaryFile& f : files) {
    const json& s = f.summary;
    if (!s.is_object() || f.series || !s.contains("ordered") || !s.contains("classes") || !s.contains("threshold"))
      return;  // a summary of another kind or version: its doubts as they are
    const json& a = s["threshold"].value("alpha", json());
    if (!a.is_number() || (images > 0 && a.get<double>() != alpha)) return;
    alpha = a.get<double>();
    ordered += s["ordered"].value("boxes", 0L);
    for (const auto& [name, c] : s["classes"].items()) boxes += c.value("boxes", 0L);
    ++images;
  }
  if (images < 2) return;  // one image: its own doubt is the pool's
  std::vector<std::string> all;
  for (const json& w : warnings) all.push_back(w.get<std::string>());
  warnings = pooled_false_alarm_doubts(std::move(all), ordered, boxes, alpha, images);
}

}  // namespace

void add_number_warnings(const std::string& module, const fs::path& out_dir, json& quantities) {
  const std::map<std::string, std::string>& own = sections_of(module);
  std::set<std::string> all_sections;
  for (const auto& [key, section] : own) all_sections.insert(section);
  std::vector<SummaryFile> files;
  for (const auto& [path, context] : module_summary_files(module, out_dir)) {
    json s = read_or_null(path);
    const bool series = s.is_object() && s.contains("series");
    auto inputs = module == "mce" && s.is_object() ? mce_inputs(s) : std::vector<std::pair<std::string, bool>>{};
    files.push_back({std::move(s), context, series, std::move(inputs)});
  }
  for (auto& [key, q] : quantities.items()) {
    std::set<std::string> others = all_sections;
    if (const auto it = own.find(key); it != own.end()) others.erase(it->second);
    json warnings = json::array();
    for (const SummaryFile& f : files) {
      if (f.summary.is_discarded() || f.series != is_series_number(key)) continue;
      if (module == "dsc" && add_dsc_number_warnings(f.summary, key, warnings)) continue;
      const std::vector<std::string> all = number_warnings(f.summary, others, f.context);
      if (module == "creep" && add_creep_number_warnings(f.summary, key, all, warnings)) continue;
      if (module == "hardness" && add_hardness_number_warnings(f.summary, key, all, warnings)) continue;
      for (const std::string& w : all)
        if (bears_on(f, key, w)) warnings.push_back(w);
    }
    if (module == "hrtem" && !is_series_number(key) && key != "detection_contrast_90")
      pool_hrtem_false_alarms(files, warnings);
    q["warnings"] = std::move(warnings);
  }
}

namespace {

// The measurement inputs given to the module, each with the key it came under.
std::vector<std::pair<std::string, std::string>> measurement_inputs(const Measurement& m) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& f : m.positional) out.emplace_back(f, "files");
  const ModuleSpec* spec = find_module(m.module);
  for (std::size_t i = 0; spec && i + 1 < m.option_args.size(); ++i) {
    const std::string& arg = m.option_args[i];
    if (arg.rfind("--", 0) != 0) continue;
    const std::string key = arg.substr(2);
    const bool input = std::any_of(spec->input_options.begin(), spec->input_options.end(),
                                   [&](const char* k) { return key == k; });
    if (input) out.emplace_back(m.option_args[++i], key);
  }
  return out;
}

// The rest of the module's "ERROR: FILE: ..." line about `file` ("FILE: ..."), or "".
std::string error_about(const std::string& module_error, const std::string& file) {
  const std::string head = "ERROR: " + file + ":";
  const std::size_t at = module_error.find(head);
  if (at == std::string::npos) return "";
  const std::size_t end = module_error.find('\n', at);
  return module_error.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7);
}

// Which numbers an input given under `key` goes into: mce's Tc comes from the M(T) files alone,
// its other numbers from the isotherms; every other module pools all its inputs.
bool rests_on(const std::string& module, const std::string& key, const std::string& quantity) {
  if (module != "mce") return true;
  return (key == "mt") == (quantity == "Tc");
}

// "made without part of its inputs: the hrtem module failed on 1 of 3 input files, left out of
// this number: /x/c.tif: not a readable TIFF ..." for the failed inputs given under `key`.
std::string failed_inputs_warning(const std::string& module, const Measurement& m,
                                  const std::vector<FailedInput>& failed, const std::string& key) {
  const auto inputs = measurement_inputs(m);
  const auto under_key = [&](const auto& x) { return x.key == key; };
  const long given = std::count_if(inputs.begin(), inputs.end(), [&](const auto& i) { return i.second == key; }) +
                     std::count_if(m.missing.begin(), m.missing.end(), under_key);
  std::string texts;
  for (const FailedInput& f : failed)
    if (f.key == key) texts += (texts.empty() ? "" : "; ") + f.text;
  return "made without part of its inputs: the " + module + " module failed on " +
         std::to_string(std::count_if(failed.begin(), failed.end(), under_key)) + " of " + std::to_string(given) +
         (key == "files" ? " input files" : " '" + key + "' inputs") + ", left out of this number: " + texts;
}

}  // namespace

std::vector<FailedInput> failed_inputs(const Measurement& m, const std::string& module_error) {
  std::vector<FailedInput> out;
  for (const Measurement::Missing& miss : m.missing) out.push_back({miss.path, miss.key, miss.message});
  for (const auto& [file, key] : measurement_inputs(m))
    if (std::string text = error_about(module_error, file); !text.empty()) out.push_back({file, key, text});
  return out;
}

std::vector<std::string> add_failed_input_warnings(const std::string& module, const Measurement& m,
                                                   const std::vector<FailedInput>& failed,
                                                   const std::string& module_error, json& quantities) {
  // One warning per key, so that mce's M(T) and M(H) failures doubt their own numbers.
  std::vector<std::pair<std::string, std::string>> by_key;  // key, warning; in the order met
  for (const FailedInput& f : failed)
    if (std::none_of(by_key.begin(), by_key.end(), [&](const auto& w) { return w.first == f.key; }))
      by_key.emplace_back(f.key, failed_inputs_warning(module, m, failed, f.key));
  if (by_key.empty()) {
    const std::string first_line = module_error.substr(0, module_error.find('\n'));
    by_key.emplace_back("", "the " + module + " module failed (" + first_line +
                                "): this number may rest on part of its inputs");
  }
  std::vector<std::string> added;
  for (const auto& [key, warning] : by_key) {
    bool used = false;
    for (auto& [name, q] : quantities.items()) {
      // An n/a too: the input left out may be why it is n/a (an HRTEM image cut short held the
      // nanocrystals: the median diameter was n/a with no word of the failed image, the fractions
      // beside it doubted).
      if (!key.empty() && !rests_on(module, key, name)) continue;
      q["warnings"].push_back(warning);
      used = true;
    }
    if (used) added.push_back(warning);
  }
  return added;
}

}  // namespace mgscope

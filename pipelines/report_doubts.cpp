#include "pipelines/report_doubts.hpp"

#include <fstream>
#include <map>
#include <set>
#include <vector>

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
  for (const auto& [path, is_mt] : f.inputs) {
    const bool names = doubt.compare(0, path.size(), path) == 0 &&
                       (doubt.size() == path.size() || doubt[path.size()] == ':' || doubt[path.size()] == ' ' ||
                        doubt[path.size()] == ',');
    if (names) return is_mt == (key == "Tc");
  }
  return true;
}

bool is_series_number(const std::string& key) { return key.rfind("ordered_fraction_series_", 0) == 0; }

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
      for (const std::string& w : number_warnings(f.summary, others, f.context))
        if (bears_on(f, key, w)) warnings.push_back(w);
    }
    q["warnings"] = std::move(warnings);
  }
}

}  // namespace mgscope

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
};

json read_or_null(const fs::path& p) {
  std::ifstream in(p);
  return in ? json::parse(in, nullptr, false) : json();
}

// mce reads two kinds of file: Tc comes from the M(T) files (curie[].file), every other number
// from the isotherms. A doubt that begins with an input's path is about that file, so it bears on
// the numbers computed from it only; a doubt that names no input (no mass given, ...) on all.
bool mce_doubt_bears_on(const json& mce, const std::string& key, const std::string& doubt) {
  if (!mce.is_object()) return true;
  std::set<std::string> mt_files;
  for (const json& c : mce.value("curie", json::array()))
    if (c.is_object() && c.value("file", json()).is_string()) mt_files.insert(c["file"].get<std::string>());
  const auto names = [&](const std::string& path) {
    return !path.empty() && doubt.compare(0, path.size(), path) == 0 &&
           (doubt.size() == path.size() || doubt[path.size()] == ':' || doubt[path.size()] == ' ' ||
            doubt[path.size()] == ',');
  };
  for (const json& in : mce.value("inputs", json::array())) {
    if (!in.is_object() || !in.value("file", json()).is_string()) continue;
    const std::string file = in["file"].get<std::string>();
    if (names(file)) return mt_files.count(file) == (key == "Tc" ? 1u : 0u);
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
    files.push_back({std::move(s), context, series});
  }
  for (auto& [key, q] : quantities.items()) {
    std::set<std::string> others = all_sections;
    if (const auto it = own.find(key); it != own.end()) others.erase(it->second);
    json warnings = json::array();
    for (const SummaryFile& f : files) {
      if (f.summary.is_discarded() || f.series != is_series_number(key)) continue;
      for (const std::string& w : number_warnings(f.summary, others, f.context))
        if (module != "mce" || mce_doubt_bears_on(f.summary, key, w)) warnings.push_back(w);
    }
    q["warnings"] = std::move(warnings);
  }
}

}  // namespace mgscope

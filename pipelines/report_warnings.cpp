// Walks the module's JSON as written: any array under a key ending in "warnings" holding strings
// is a list of doubts; the nearest enclosing object's "source", "path", "sample" or its own key
// says what they are about. Generic on purpose: a warning a module adds tomorrow reaches the
// report without a change here.
#include "pipelines/report_warnings.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include "fitting/base/json.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string label_of(const json& object, const std::string& key_in_parent) {
  for (const char* k : {"source", "sample", "path"})
    if (object.contains(k) && object[k].is_string()) return fs::path(object[k].get<std::string>()).filename().string();
  return key_in_parent;
}

// A module often repeats a part's warning in its overall list with a prefix ("file (critical):
// text"): one of them is enough.
bool already_said(const std::vector<std::string>& said, const std::string& text) {
  for (const std::string& s : said)
    if (ends_with(s, text) || ends_with(text, s)) return true;
  return false;
}

// What a walk gathers: every list whose key ends in "warnings" (the module's doubts, figure
// warnings included), or, for the doubts of one number, the lists named "warnings" only (a figure
// not drawn doubts no number) outside the top-level sections in `skipped`.
struct Walk {
  bool figure_lists = true;
  const std::set<std::string>* skipped = nullptr;
};

bool gathered(const std::string& key, const Walk& walk) {
  return walk.figure_lists ? ends_with(key, "warnings") : key == "warnings";
}

void collect(const json& j, const std::string& context, const Walk& walk, bool top, std::vector<std::string>& out,
             std::vector<std::string>& said) {
  if (j.is_array()) {
    for (const json& item : j) collect(item, context, walk, false, out, said);
    return;
  }
  if (!j.is_object()) return;
  // The object's own lists first (they are the overall ones), then what it holds.
  for (const auto& [key, value] : j.items()) {
    if (!gathered(key, walk) || !value.is_array()) continue;
    for (const json& w : value)
      if (w.is_string() && !already_said(said, w.get<std::string>())) {
        said.push_back(w.get<std::string>());
        out.push_back(context.empty() ? w.get<std::string>() : context + ": " + w.get<std::string>());
      }
  }
  for (const auto& [key, value] : j.items()) {
    if (ends_with(key, "warnings") || (top && walk.skipped && walk.skipped->count(key))) continue;
    if (value.is_object()) {
      const std::string inner = label_of(value, key);
      collect(value, context.empty() ? inner : context + ", " + inner, walk, false, out, said);
    } else if (value.is_array()) {
      for (const json& item : value) {
        const std::string inner = item.is_object() ? label_of(item, key) : key;
        collect(item, context.empty() ? inner : context + ", " + inner, walk, false, out, said);
      }
    }
  }
}

// The warnings of the top-level sections in `sections` (their own lists and those they hold), as
// written, without the place a walk puts before a nested list's ("scaling: only 2 isotherms..."):
// the top list repeats them as "file (scaling): only 2 isotherms...", which must match.
std::vector<std::string> section_warnings(const json& summary, const std::set<std::string>& sections) {
  std::vector<std::string> out, said;
  for (const std::string& name : sections)
    if (summary.is_object() && summary.contains(name))
      collect(summary[name], "", Walk{false, nullptr}, false, out, said);
  return said;
}

void collect_file(const fs::path& file, const std::string& context, std::vector<std::string>& out) {
  std::ifstream in(file);
  if (!in) return;
  const json j = json::parse(in, nullptr, false);
  std::vector<std::string> said;
  if (!j.is_discarded()) collect(j, context, Walk{}, true, out, said);
}

}  // namespace

std::vector<std::string> number_warnings(const json& summary, const std::set<std::string>& other_sections,
                                         const std::string& context) {
  // The top list repeats a section's doubts with a prefix ("file (critical): text"): a repeat of
  // another section's stays with that section's numbers.
  std::vector<std::string> said = section_warnings(summary, other_sections), out;
  collect(summary, context, Walk{false, &other_sections}, true, out, said);
  return out;
}

std::vector<std::pair<fs::path, std::string>> module_summary_files(const std::string& module, const fs::path& out_dir) {
  std::vector<std::pair<fs::path, std::string>> out;
  if (module == "hrtem") {
    std::vector<fs::path> images;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(out_dir, ec))
      if (e.is_directory() && fs::exists(e.path() / "summary.json")) images.push_back(e.path());
    std::sort(images.begin(), images.end());
    for (const fs::path& d : images) out.emplace_back(d / "summary.json", d.filename().string());
  } else {
    out.emplace_back(out_dir / (module == "mce" ? "mce.json" : "summary.json"), "");
  }
  return out;
}

std::vector<std::string> module_warnings(const std::string& module, const fs::path& out_dir) {
  std::vector<std::string> out;
  for (const auto& [file, context] : module_summary_files(module, out_dir)) collect_file(file, context, out);
  return out;
}

}  // namespace mgscope

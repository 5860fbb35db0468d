// The doubts a module wrote beside its numbers (every "warnings" list in its summary files),
// gathered for the report so that a number shown there carries them.
#pragma once
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fitting/base/json.hpp"

namespace mgscope {

// The summary files of a module's output folder, each with what its doubts are about: hrtem's
// <image>/summary.json (the image folder's name), in name order; mce's mce.json; the others'
// summary.json.
std::vector<std::pair<std::filesystem::path, std::string>> module_summary_files(const std::string& module,
                                                                               const std::filesystem::path& out_dir);

// Every warning in the summary files of `module` under `out_dir` (hrtem: <image>/summary.json;
// creep, hardness, dsc: summary.json; mce: mce.json), each prefixed by what it is about when the
// file says (an image, a curve, a sample, a part of the analysis): "hrtem_1: vacuum found ...",
// "critical: ...". In file order, repeats dropped. Unreadable files give no warnings here (the
// headlines report them).
std::vector<std::string> module_warnings(const std::string& module, const std::filesystem::path& out_dir);

// The doubts that qualify one number read from `summary`: every list named "warnings" in it
// (figure_warnings aside: a figure not drawn doubts no number), except those inside the top-level
// sections in `other_sections`, which belong to other numbers (mce.json's "critical" holds the
// doubts of the critical exponents, not of Tc). The top list's repeats of those go with them.
// Prefixed by `context` and what each is about, as module_warnings.
std::vector<std::string> number_warnings(const nlohmann::json& summary, const std::set<std::string>& other_sections,
                                         const std::string& context);

}  // namespace mgscope

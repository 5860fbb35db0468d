// The doubts a module wrote beside its numbers (every "warnings" list in its summary files),
// gathered for the report so that a number shown there carries them.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace mgscope {

// Every warning in the summary files of `module` under `out_dir` (hrtem: <image>/summary.json;
// creep, hardness, dsc: summary.json; mce: mce.json), each prefixed by what it is about when the
// file says (an image, a curve, a sample, a part of the analysis): "hrtem_1: vacuum found ...",
// "critical: ...". In file order, repeats dropped. Unreadable files give no warnings here (the
// headlines report them).
std::vector<std::string> module_warnings(const std::string& module, const std::filesystem::path& out_dir);

}  // namespace mgscope

// Which of a module's doubts qualify which of its headline numbers, so that a doubted number
// carries its warnings wherever the report shows it (report.json, the sample and study pages,
// study.csv, the terminal).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"

#include "pipelines/sample_manifest.hpp"

namespace mgscope {

// Gives every quantity of `quantities` (module_headlines) a "warnings" array: the doubts its
// module wrote that bear on it. A number pooled over images, curves or samples carries the
// doubts of each part. Where a summary keeps a part of the analysis apart with its own doubts
// (mce.json's "critical", an hrtem summary's "area_map" and "nanocrystals"), that part's doubts
// go to its numbers only: the critical region's doubt is not one on Tc.
void add_number_warnings(const std::string& module, const std::filesystem::path& out_dir, nlohmann::json& quantities);

// A measurement input that did not enter the module's numbers: missing (a path that does not
// exist, a glob that matched nothing) or named by one of the module's ERROR lines.
struct FailedInput {
  std::string file;  // as given to the module (absolute), or the resolved pattern
  std::string key;   // what it was given under: "files", or mce's "mt" / "mh"
  std::string text;  // why, naming the file ("/x/a.tif: not a readable TIFF ...")
};
std::vector<FailedInput> failed_inputs(const Measurement& m, const std::string& module_error);

// A module that failed but still wrote numbers (a batch with one bad file) made them from part
// of its inputs: each number that rests on a failed input, an n/a too, gets a warning naming it (mce's Tc
// rests on the M(T) files only, its other numbers on the isotherms); when no input is to blame,
// every number gets one quoting the module's error. Returns the warnings added, for the module's
// list.
std::vector<std::string> add_failed_input_warnings(const std::string& module, const Measurement& m,
                                                   const std::vector<FailedInput>& failed,
                                                   const std::string& module_error, nlohmann::json& quantities);

}  // namespace mgscope

// Which of a module's doubts qualify which of its headline numbers, so that a doubted number
// carries its warnings wherever the report shows it (report.json, the sample and study pages,
// study.csv, the terminal).
#pragma once
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace mgscope {

// Gives every quantity of `quantities` (module_headlines) a "warnings" array: the doubts its
// module wrote that bear on it. A number pooled over images, curves or samples carries the
// doubts of each part. Where a summary keeps a part of the analysis apart with its own doubts
// (mce.json's "critical", an hrtem summary's "area_map" and "nanocrystals"), that part's doubts
// go to its numbers only: the critical region's doubt is not one on Tc.
void add_number_warnings(const std::string& module, const std::filesystem::path& out_dir, nlohmann::json& quantities);

}  // namespace mgscope

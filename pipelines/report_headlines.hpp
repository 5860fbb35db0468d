// The headline numbers of each module, read back from the files the module wrote (its
// summary.json / mce.json): one small mapping function per module.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"

namespace mgscope {

// Headline quantities of `module` from its output folder, as an object
//   key -> {label, value, unit, uncertainty, provenance}
// where uncertainty is {kind: "sd", sd, n} (spread of repeats), {kind: "ci95_wilson", low, high,
// n} (binomial interval) or {kind: "none"}, and provenance is `provenance` (files, settings,
// program version) plus what the module's outputs say of the reader/format and calibration.
// A missing or unreadable summary is an InputError naming the file; values the module could not
// determine are null.
nlohmann::json module_headlines(const std::string& module, const std::filesystem::path& out_dir,
                                const nlohmann::json& provenance);

// The keys of a quantities object in reading order (each module's headline first), for tables.
std::vector<std::string> ordered_quantity_keys(const nlohmann::json& quantities);

// Lower and upper end of a quantity's error bar (value -+ sd, or the interval); NaN when none.
std::pair<double, double> error_bar(const nlohmann::json& quantity);

// A headline's value, NaN when null or absent.
double quantity_value(const nlohmann::json& quantity);

// The warnings that doubt a headline (report_doubts.hpp), none when absent.
std::vector<std::string> quantity_warnings(const nlohmann::json& quantity);

}  // namespace mgscope

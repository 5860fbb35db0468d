// JSON outputs: nlohmann::json, written atomically with a stable layout (keys sorted, 2-space
// indent, doubles printed round-trip exact) so a re-run with the same inputs gives the same bytes.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"

#include "fitting/base/statistics.hpp"

namespace mgscope {

void write_json_atomic(const std::filesystem::path& path, const nlohmann::json& j);

// The text of `j` (2-space indent). Strings that are not valid UTF-8 - a file name holding byte
// 0xFF - have each bad byte replaced by U+FFFD instead of failing the whole output.
std::string json_text(const nlohmann::json& j);

// NaN and infinities are not JSON: they become null.
nlohmann::json json_number(double v);

// {"mean": ..., "sd": ..., "n": ...} of repeats (NaNs skipped).
nlohmann::json mean_sd_json(const MeanSd& m);
inline nlohmann::json mean_sd_json(const std::vector<double>& values) { return mean_sd_json(mean_sd(values)); }

}  // namespace mgscope

#include "pipelines/json_output.hpp"

#include <cmath>

#include "pipelines/atomic_file.hpp"

namespace mgscope {

std::string json_text(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

void write_json_atomic(const std::filesystem::path& path, const nlohmann::json& j) {
  write_file_atomic(path, json_text(j) + "\n");
}

nlohmann::json json_number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json mean_sd_json(const MeanSd& m) {
  // A single value has no sample standard deviation: null, as the schemas say (it was 0.0, which
  // reads as "no spread" over repeats that were never made).
  return {{"mean", json_number(m.mean)}, {"sd", json_number(m.n > 1 ? m.sd : std::nan(""))}, {"n", m.n}};
}

}  // namespace mgscope

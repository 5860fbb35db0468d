// JSON outputs: nlohmann::json, written atomically with a stable layout (keys sorted, 2-space
// indent, doubles printed round-trip exact) so a re-run with the same inputs gives the same bytes.
#pragma once
#include <filesystem>

#include <nlohmann/json.hpp>

namespace mgscope {

void write_json_atomic(const std::filesystem::path& path, const nlohmann::json& j);

// NaN and infinities are not JSON: they become null.
nlohmann::json json_number(double v);

}  // namespace mgscope

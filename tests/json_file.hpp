// A JSON file the program wrote, parsed; for the tests that read its summaries.
#pragma once
#include <filesystem>

#include "fitting/base/json.hpp"
#include "tests/test_support.hpp"

namespace mgscope::test {

inline nlohmann::json read_json(const std::filesystem::path& p) { return nlohmann::json::parse(read_all(p)); }

}  // namespace mgscope::test

// fitting/base/json.hpp: nlohmann-json's assertions stay in release builds, as exceptions. Without
// it (NDEBUG), a const operator[] of a missing key dereferences the object's end(): session 41's
// segfault of pipelines_sample_test (study_report.cpp's failed_module_cell).
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "fitting/base/json.hpp"

using nlohmann::json;

TEST(JsonAssertions, AMissingKeyReadThroughConstIsAnErrorNotAStrayRead) {
  const json module = {{"quantities", json::object()}};
  try {
    const bool is_string = module["error"].is_string();
    ADD_FAILURE() << "read a missing key as " << (is_string ? "a string" : "something else");
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("nlohmann-json: assertion failed"), std::string::npos) << e.what();
  }
  EXPECT_EQ(module.value("error", json()), json());  // the way to read a key that may be missing
  EXPECT_TRUE(module["quantities"].is_object());
}

// Checks shared by the TIFF reader tests: files written from bytes, and "this read must fail
// with an InputError naming the file".
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "imaging/io/tiff_reader.hpp"

namespace mgscope::test {

inline void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

inline bool any_contains(const std::vector<std::string>& v, const std::string& part) {
  for (const auto& s : v)
    if (contains(s, part)) return true;
  return false;
}

// The read must fail with an InputError naming the file (and `part` when given).
inline void expect_input_error(const std::string& path, const std::string& part = "", int frame = 0) {
  try {
    ReadOptions options;
    options.frame = frame;
    read_tiff(path, options);
    ADD_FAILURE() << path << ": read without error";
  } catch (const InputError& e) {
    EXPECT_TRUE(contains(e.what(), path)) << e.what();
    EXPECT_TRUE(contains(e.what(), part)) << e.what() << " lacks '" << part << "'";
  }
}

inline Calibration nm_calibration(double x_nm, double y_nm) {
  Calibration c;
  c.calibrated = true;
  c.pixel_x_nm = x_nm;
  c.pixel_y_nm = y_nm;
  return c;
}

}  // namespace mgscope::test

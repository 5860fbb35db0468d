// Readers that take a path are fuzzed through one temporary file per fuzzing process (in
// $TMPDIR), rewritten for every input.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace mgscope::fuzz {

inline std::string write_temp(const std::uint8_t* data, std::size_t size, const char* suffix) {
  static const std::string path = (std::filesystem::temp_directory_path() /
                                   ("mgscope_fuzz_" + std::to_string(::getpid()) + suffix)).string();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f) {
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  return path;
}

}  // namespace mgscope::fuzz

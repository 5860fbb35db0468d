// A folder's own name, however the user wrote it: "." and "dir/" name the folder too
// (lexically_normal leaves a trailing separator there, whose filename() is empty).
#pragma once
#include <filesystem>
#include <string>

namespace mgscope {

inline std::string folder_own_name(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(dir, ec).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  return p.filename().string();
}

}  // namespace mgscope

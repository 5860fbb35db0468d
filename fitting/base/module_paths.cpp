#include "fitting/base/module_paths.hpp"

#include <algorithm>
#include <filesystem>

namespace mgscope {

std::vector<std::string> module_paths(const std::string& baked) {
  std::vector<std::string> paths;
  for (std::size_t start = 0; start <= baked.size();) {
    const std::size_t end = std::min(baked.find(':', start), baked.size());
    std::string c = baked.substr(start, end - start);
    if (c.rfind("@exe/", 0) == 0) {
      std::error_code ec;
      const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
      c = ec ? std::string() : (exe.parent_path() / c.substr(5)).lexically_normal().string();
    }
    if (!c.empty()) paths.push_back(c);
    start = end + 1;
  }
  return paths;
}

}  // namespace mgscope

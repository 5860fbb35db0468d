#include "fitting/base/module_paths.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
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

std::vector<std::string> module_candidates(const char* env_var, const std::string& baked) {
  if (const char* env = std::getenv(env_var); env && *env) return {env};
  return module_paths(baked);
}

void* load_module_entry(const std::vector<std::string>& candidates, const char* entry, int dlopen_flags,
                        const std::function<std::string(void*)>& accept, std::string& errors) {
  for (const std::string& path : candidates) {
    void* handle = dlopen(path.c_str(), dlopen_flags);
    if (!handle) {
      errors += std::string("\n  ") + dlerror();
      continue;
    }
    void* symbol = dlsym(handle, entry);
    const std::string why_not = symbol ? accept(symbol) : std::string("no ") + entry;
    if (why_not.empty()) return symbol;
    errors += "\n  " + path + ": " + why_not;
  }
  return nullptr;
}

std::string module_not_loaded(const std::string& module, const char* env_var, const std::string& errors) {
  const char* env = std::getenv(env_var);
  return module + " was not found or did not load" +
         (errors.empty() ? std::string(" (no path to look in)") : ":" + errors) +
         (env && *env ? "\n" + std::string(env_var) + " names the only place looked: correct or unset it"
                      : "\nSet " + std::string(env_var) + " to its path");
}

}  // namespace mgscope

#include "pipelines/run_stamp.hpp"

#include <sys/stat.h>

#include "mgscope_version.hpp"

namespace mgscope {

namespace {

nlohmann::json stamp_of(const std::string& path, const char* name) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {{name, path}, {"exists", false}};
  const long long mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  return {{name, path}, {"size_bytes", static_cast<long long>(st.st_size)}, {"mtime_ns", mtime_ns}};
}

}  // namespace

nlohmann::json program_stamp() {
  nlohmann::json p = stamp_of("/proc/self/exe", "executable");  // stat follows the link to the binary
  p.erase("executable");  // the bytes and the time say which build; the path does not matter
  p["version"] = kVersion;
  return p;
}

nlohmann::json files_stamp(const std::vector<std::string>& paths) {
  nlohmann::json inputs = nlohmann::json::array();
  for (const std::string& p : paths) inputs.push_back(stamp_of(p, "path"));
  return inputs;
}

}  // namespace mgscope

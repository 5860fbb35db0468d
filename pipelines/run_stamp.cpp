#include "pipelines/run_stamp.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>

#include "mgscope_version.hpp"

namespace mgscope {

namespace {

long long mtime_ns(const struct stat& st) {
  return static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

// FNV-1a (64 bit) over the name, size and modification time of every entry of a folder, in name
// order. A folder's own size and time change when a file is added or removed, not when one is
// overwritten in place: a series folder whose frame was re-exported stayed "up to date".
std::string folder_contents_hash(const std::string& dir) {
  std::vector<std::filesystem::path> entries;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    entries.push_back(it->path());
  std::sort(entries.begin(), entries.end());
  std::uint64_t h = 14695981039346656037ull;
  const auto mix = [&h](const std::string& bytes) {
    for (const unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;  // a separator no byte of the text can stand for
  };
  for (const std::filesystem::path& e : entries) {
    struct stat st {};
    mix(e.filename().string());
    if (::stat(e.c_str(), &st) == 0) mix(std::to_string(st.st_size) + " " + std::to_string(mtime_ns(st)));
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

nlohmann::json stamp_of(const std::string& path, const char* name) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {{name, path}, {"exists", false}};
  nlohmann::json stamp = {{name, path}, {"size_bytes", static_cast<long long>(st.st_size)}, {"mtime_ns", mtime_ns(st)}};
  if (S_ISDIR(st.st_mode)) stamp["contents_fnv1a"] = folder_contents_hash(path);
  return stamp;
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

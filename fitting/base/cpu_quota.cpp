#include "fitting/base/cpu_quota.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

namespace mgscope {

namespace fs = std::filesystem;

namespace {

bool read_first_line(const fs::path& file, std::string& line) {
  std::ifstream in(file);
  return static_cast<bool>(std::getline(in, line));
}

std::optional<int> smaller(std::optional<int> a, std::optional<int> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

// The quota set in one cgroup folder, v2 or v1.
std::optional<int> folder_limit(const fs::path& dir) {
  std::string text;
  if (read_first_line(dir / "cpu.max", text)) return cores_of_cpu_max(text);
  std::string quota, period;
  if (!read_first_line(dir / "cpu.cfs_quota_us", quota) || !read_first_line(dir / "cpu.cfs_period_us", period))
    return std::nullopt;
  try {
    return cores_of_quota(std::stoll(quota), std::stoll(period));
  } catch (const std::exception&) {  // not a number: no quota we can read
    return std::nullopt;
  }
}

// The quotas of `relative` (a cgroup path, "/slurm/uid_0/job_12") and its ancestors under `mount`.
std::optional<int> limit_up_the_tree(const fs::path& mount, const std::string& relative) {
  std::optional<int> limit;
  fs::path rel = fs::path(relative).relative_path();
  for (;;) {
    limit = smaller(limit, folder_limit(mount / rel));
    if (rel.empty()) return limit;
    rel = rel.parent_path();
  }
}

}  // namespace

std::optional<int> cores_of_quota(long long quota_us, long long period_us) {
  if (quota_us <= 0 || period_us <= 0) return std::nullopt;
  return int(std::max(1LL, (quota_us + period_us - 1) / period_us));
}

std::optional<int> cores_of_cpu_max(const std::string& text) {
  std::istringstream in(text);
  std::string quota;
  long long period = 0;
  if (!(in >> quota >> period) || quota == "max") return std::nullopt;
  try {
    return cores_of_quota(std::stoll(quota), period);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<int> cgroup_cpu_limit(const fs::path& proc_self_cgroup, const fs::path& cgroup_root) {
  std::ifstream in(proc_self_cgroup);
  std::optional<int> limit;
  std::string line;
  // "ID:CONTROLLERS:PATH": "0::/user.slice" (v2), "4:cpu,cpuacct:/slurm/job_12" (v1).
  while (std::getline(in, line)) {
    const std::size_t a = line.find(':'), b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (controllers.empty()) {  // v2: the mount itself, or beside v1 controllers (hybrid)
      limit = smaller(limit, limit_up_the_tree(cgroup_root, path));
      limit = smaller(limit, limit_up_the_tree(cgroup_root / "unified", path));
      continue;
    }
    std::vector<std::string> names;
    std::istringstream list(controllers);
    for (std::string name; std::getline(list, name, ',');) names.push_back(name);
    if (std::find(names.begin(), names.end(), "cpu") == names.end()) continue;
    limit = smaller(limit, limit_up_the_tree(cgroup_root / controllers, path));
    if (controllers != "cpu") limit = smaller(limit, limit_up_the_tree(cgroup_root / "cpu", path));
  }
  return limit;
}

std::optional<int> this_process_cpu_limit() {
  static const std::optional<int> limit = cgroup_cpu_limit("/proc/self/cgroup", "/sys/fs/cgroup");
  return limit;
}

}  // namespace mgscope

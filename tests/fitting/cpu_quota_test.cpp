// "All cores" (--threads 0) is the cores this process may use: its affinity and its cgroup's CPU
// quota, not the machine's count (a Slurm job or `taskset -c 0` on a 64-core node got 64 threads).
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "fitting/base/core_lending.hpp"
#include "fitting/base/cpu_quota.hpp"
#include "fitting/base/parallel_for.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;

void write_cgroup_file(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

TEST(CpuQuota, QuotaTextGivesCoresRoundedUp) {
  EXPECT_EQ(cores_of_cpu_max("200000 100000\n"), 2);
  EXPECT_EQ(cores_of_cpu_max("150000 100000"), 2);  // 1.5 cores: 2 threads
  EXPECT_EQ(cores_of_cpu_max("50000 100000"), 1);
  EXPECT_EQ(cores_of_cpu_max("max 100000"), std::nullopt);
  EXPECT_EQ(cores_of_cpu_max("garbage"), std::nullopt);
  EXPECT_EQ(cores_of_quota(-1, 100000), std::nullopt);  // cgroup v1: no quota
  EXPECT_EQ(cores_of_quota(400000, 100000), 4);
}

// A Slurm job's cgroup v2 (cpu.max 3 cores) under a parent with a larger quota, and a v1 hierarchy
// whose job folder is absent (a container sees its own cgroup at the mount's root, quota 1 core).
TEST(CpuQuota, SmallestQuotaOnThePathToTheRootCounts) {
  const fs::path root = fs::temp_directory_path() / ("cpu_quota_test_" + std::to_string(::getpid()));
  fs::remove_all(root);
  write_cgroup_file(root / "proc_v2", "0::/slurm/job_7/step_0\n");
  write_cgroup_file(root / "fs/cpu.max", "max 100000\n");
  write_cgroup_file(root / "fs/slurm/cpu.max", "800000 100000\n");
  write_cgroup_file(root / "fs/slurm/job_7/cpu.max", "300000 100000\n");
  EXPECT_EQ(cgroup_cpu_limit(root / "proc_v2", root / "fs"), 3);

  write_cgroup_file(root / "proc_v1", "9:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/\n");
  write_cgroup_file(root / "v1/cpu,cpuacct/cpu.cfs_quota_us", "100000\n");
  write_cgroup_file(root / "v1/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
  EXPECT_EQ(cgroup_cpu_limit(root / "proc_v1", root / "v1"), 1);

  write_cgroup_file(root / "proc_none", "0::/user.slice\n");
  EXPECT_EQ(cgroup_cpu_limit(root / "proc_none", root / "nothing_here"), std::nullopt);
  fs::remove_all(root);
}

// With one CPU in its affinity mask (`taskset -c 0`, a rank bound by mpirun), a loop of "all cores"
// runs one thread, whatever the machine has.
TEST(CpuQuota, AllCoresFollowsTheAffinityMask) {
  cpu_set_t before;
  ASSERT_EQ(::sched_getaffinity(0, sizeof before, &before), 0);
  int first = 0;
  while (first < CPU_SETSIZE && !CPU_ISSET(first, &before)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(::sched_setaffinity(0, sizeof one, &one), 0);
  const int cores = usable_cores(), threads = resolve_threads(0, 1000);
  ::sched_setaffinity(0, sizeof before, &before);
  EXPECT_EQ(cores, 1);
  EXPECT_EQ(threads, 1);
}

}  // namespace
}  // namespace mgscope

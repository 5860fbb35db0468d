// The CPU time a scheduler's cgroup allows this process (Slurm, Kubernetes, `docker --cpus`): a
// quota of 150 ms per 100 ms period is 1.5 cores, however many the machine has or the affinity
// mask lists. "All cores" (--threads 0) never starts more threads than that.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace mgscope {

// Cores a quota of `quota_us` per `period_us` amounts to, rounded up (1.5 cores: 2 threads, of which
// neither waits for a core more than the quota makes it); none for no quota (quota < 0, as cgroup v1
// writes "-1", or a period <= 0).
std::optional<int> cores_of_quota(long long quota_us, long long period_us);

// The same from cgroup v2's cpu.max text, "QUOTA PERIOD" or "max PERIOD" (no limit).
std::optional<int> cores_of_cpu_max(const std::string& text);

// The smallest quota on the way from this process's cgroup up to the root, as `proc_self_cgroup`
// (a /proc/self/cgroup file) names it under the cgroup mount `cgroup_root` (/sys/fs/cgroup): v2's
// cpu.max, v1's cpu.cfs_quota_us and cpu.cfs_period_us (in "cpu" or "cpu,cpuacct"). A folder
// that does not exist is passed over (a container sees its own cgroup as the mount's root while
// /proc/self/cgroup may still name the host's path). None when no level sets a quota.
std::optional<int> cgroup_cpu_limit(const std::filesystem::path& proc_self_cgroup,
                                    const std::filesystem::path& cgroup_root);

// cgroup_cpu_limit of this process, read once (a quota does not change during a run).
std::optional<int> this_process_cpu_limit();

}  // namespace mgscope

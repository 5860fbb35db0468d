// The parts of the work team that do not depend on how the team was started.
#include <sched.h>

#include <algorithm>
#include <numeric>
#include <thread>

#include "pipelines/work_team.hpp"

namespace mgscope {

int usable_cores() {
  // A launcher that binds ranks (Open MPI binds each of up to 2 ranks to a core) or a scheduler's
  // cgroup leaves fewer than the machine has.
  int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  cpu_set_t allowed;
  if (::sched_getaffinity(0, sizeof allowed, &allowed) == 0) cores = std::max(1, CPU_COUNT(&allowed));
  return cores;
}

int WorkTeam::threads_for_all_cores() const { return std::max(1, usable_cores() / std::max(1, local_size)); }

std::vector<std::size_t> largest_first(const std::vector<double>& cost) {
  std::vector<std::size_t> order(cost.size());
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cost[a] > cost[b]; });
  return order;
}

}  // namespace mgscope

// The parts of the work team that do not depend on how the team was started.
#include <algorithm>
#include <numeric>

#include "pipelines/work_team.hpp"

namespace mgscope {

int WorkTeam::threads_for_all_cores() const { return std::max(1, usable_cores() / std::max(1, local_size)); }

std::vector<std::size_t> largest_first(const std::vector<double>& cost) {
  std::vector<std::size_t> order(cost.size());
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cost[a] > cost[b]; });
  return order;
}

}  // namespace mgscope

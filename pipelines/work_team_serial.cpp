// The team of one (a build without MPI): every item in this process, in the order given.
#include "pipelines/work_team.hpp"

namespace mgscope {

const WorkTeam& work_team() {
  static const WorkTeam alone;
  return alone;
}

void deal_work(const std::vector<std::size_t>& order, const std::function<std::string(std::size_t)>& work,
               const std::function<void(std::size_t, std::string)>& on_result) {
  for (const std::size_t item : order) on_result(item, work(item));
}

}  // namespace mgscope

// The team of one (a build without MPI): every item in this process, in the order given.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "pipelines/work_team.hpp"

namespace mgscope {

const WorkTeam& work_team() {
  static const WorkTeam alone = [] {
    // Under mpirun every process of this build runs the whole command: say so once, on rank 0.
    const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
    const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
    const char* parent = std::getenv("MGSCOPE_PARENT_PID");
    if (size && std::atoi(size) > 1 && rank && std::string(rank) == "0" && !parent)
      std::fprintf(stderr, "WARNING: started by mpirun with %s processes, but this mgscope was built without MPI: "
                   "every process runs the whole command (rebuild with -DMGSCOPE_MPI=ON)\n", size);
    return WorkTeam{};
  }();
  return alone;
}

void deal_work(const std::vector<std::size_t>& order, const std::function<std::string(std::size_t)>& work,
               const std::function<void(std::size_t, std::string)>& on_result) {
  for (const std::size_t item : order) on_result(item, work(item));
}

}  // namespace mgscope

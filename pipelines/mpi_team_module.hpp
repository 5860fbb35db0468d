// What the program and the MPI module (libmgscope_mpi.so, work_team_mpi.cpp) share: one C entry
// point that returns a table of functions. Open MPI and its ~20 libraries (hwloc, libevent, X11,
// udev, ...) cost every start of the program a few milliseconds of mapping, though only a run
// started by mpirun or srun uses them; so MPI lives in the module, which work_team.cpp loads with
// dlopen only then (mpi_module_loader.cpp finds it).
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "pipelines/work_team.hpp"

namespace mgscope {

// Raised whenever the table changes, so that a module left from another build is refused by name
// instead of called with the wrong arguments.
constexpr int kMpiTeamModuleAbi = 2;

struct MpiTeamModule {
  int abi = kMpiTeamModuleAbi;
  // Joins the MPI job (MPI_Init_thread): this process's rank, the job's size and the ranks on this
  // machine. Called once; MPI_Finalize runs when the program exits.
  WorkTeam (*join)() = nullptr;
  // deal_work (work_team.hpp) among the ranks of the joined job.
  void (*deal_work)(const std::vector<std::size_t>& order, const std::function<std::string(std::size_t)>& work,
                    const std::function<void(std::size_t, std::string)>& on_result) = nullptr;
  // For a rank leaving on an error: waits up to `seconds` for every rank to leave too (a
  // collective that every rank enters at exit, or here), then returns 1 when rank 0 left on an
  // error, 0 when it ended without; -1 when the time ran out.
  int (*leave_on_error)(double seconds) = nullptr;
  // Ends the whole job with `code` (MPI_Abort) and never returns: for a rank that leaves on an
  // error alone, whose MPI_Finalize at exit would wait for ranks that are waiting for it.
  void (*abort)(int code) = nullptr;
};

// The name of the module's entry point, a `const MpiTeamModule* ()` function.
constexpr const char* kMpiTeamModuleEntry = "mgscope_mpi_team_module";

}  // namespace mgscope

// The processes that share one command's work: the ordinary program alone, or the ranks of an
// MPI job (mpirun, srun). The commands deal their items (images, samples) through deal_work and
// never see MPI: a build without MPI and a run without mpirun take the same path of a team of one
// (work_team.cpp); under mpirun the ranks deal through the MPI module, libmgscope_mpi.so
// (work_team_mpi.cpp), which the program loads only then.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "fitting/base/core_lending.hpp"  // usable_cores

namespace mgscope {

struct WorkTeam {
  int rank = 0;        // 0: the leader, which deals the items and writes the combined outputs
  int size = 1;        // processes in the team
  int local_size = 1;  // processes of the team on this machine (they share its cores)
  bool leader() const { return rank == 0; }
  // Threads for one process of a team of several when the user asked for "all cores"
  // (--threads 0): the cores this process may use, shared among the team's processes on the
  // machine (at least 1).
  int threads_for_all_cores() const;
};

// This process's team. The first call joins the MPI job when the program was started by an MPI
// launcher (and built with MPI), loading the MPI module; it throws std::runtime_error, naming where
// it looked, when that module cannot be loaded. A module run by `sample`/`study`
// (MGSCOPE_PARENT_PID set) never joins, it is a team of one.
const WorkTeam& work_team();

// This process's rank in the MPI job that started it, from the launcher's environment (Open MPI,
// PMIx, PMI), without joining the job; 0 outside an MPI job and in a module of sample/study.
// For what every rank finds alike before or without any dealing (a bad option, a missing
// settings file): rank 0 alone says it.
int launcher_rank();

// Whether an MPI launcher started this process with others, from the launcher's environment (its
// size where it says one, else assumed); false in a module of sample/study.
bool launched_with_other_ranks();

// How a rank leaving on an error may leave an MPI job (leave_on_error).
enum class JobLeaving {
  kNotJoined,              // this process has not joined an MPI job of several ranks: it simply exits
  kAllLeftRank0Failed,     // every rank of the joined job left, rank 0 on an error: they exit together
  kAllLeftRank0Succeeded,  // every rank left, rank 0 without an error
  kOthersWorking,          // some rank did not leave within the time: end_the_job_if_joined
};

// For a rank leaving on an error: whether every rank of the MPI job leaves too (on an error or at
// its exit), waiting up to `seconds` for them, and how rank 0 left. A process started with other
// ranks joins the job for this if it had not (a start-up error comes before any command joins);
// kNotJoined when it cannot (no MPI module, a build without MPI) or was started alone.
JobLeaving leave_on_error(double seconds);

// When this process has joined an MPI job of several ranks, ends the whole job with `code` and
// never returns: a rank that leaves on an error alone would otherwise wait at exit (MPI_Finalize)
// for ranks that wait for it. Else returns.
void end_the_job_if_joined(int code);

// Runs work(item) once for every item of `order`, on some process of the team, dealing them in
// that order (callers put the largest first): a process asks for the next item when it is done.
// work() returns the item's result as text. On the leader, on_result(item,
// text) is called for every item as results arrive, in the leader's calling thread; on the other
// processes it is never called. Returns on every process when every item is done.
// In a team of one, work and on_result simply alternate in the order given; with `at_once` > 1
// up to that many items run at the same time on threads of this process (work must then be
// thread-safe), taken in the order given, and on_result is still called in the calling thread,
// as each is done; an exception of work or on_result stops the dealing and is thrown here once
// the threads have finished the items they hold. The ranks of an MPI job run one item at a time
// (there work must not throw). With `lend_cores` (and
// at_once > 1) the threads running items share a lender (core_lending.hpp) with the cores beyond
// at_once idle, and each lends its core when it finds no item left.
void deal_work(const std::vector<std::size_t>& order, const std::function<std::string(std::size_t)>& work,
               const std::function<void(std::size_t, std::string)>& on_result, int at_once = 1,
               bool lend_cores = false);

// Indices 0..n-1 by decreasing cost, ties in index order (the dealing order: the largest items
// first, so that no large item starts last and keeps the team waiting).
std::vector<std::size_t> largest_first(const std::vector<double>& cost);

}  // namespace mgscope

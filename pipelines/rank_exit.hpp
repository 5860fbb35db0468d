// How a rank of an MPI job leaves on an error of its start (a bad option, a settings file, a module
// that did not load). Under mpirun the first rank to exit non-zero ends the job: the launcher kills
// the others at once, maybe before they have printed, and rank 0, started last or slowed by a busy
// node, could be killed before saying an error that every rank found.
#pragma once
#include <string>

namespace mgscope {

// An error every rank finds alike is said by rank 0 alone. The other ranks keep what they would
// have printed (`unsaid`) and wait up to 5 s for rank 0: for its exit, which ends the job, or, in
// an MPI job they joined, for every rank to leave (leave_on_error), which tells whether rank 0
// failed. A rank that finds rank 0 did not fail, or is still waiting after 5 s, met an error rank
// 0 did not (a settings file missing on its node only): it says it, naming itself, and 2 s later
// (for the others to say theirs) ends the job (end_the_job_if_joined, else by exiting). Rank 0
// returns `code` at once unless joined, when it waits likewise for the others to leave.
// Outside an MPI job of several processes, returns `code` at once.
int exit_code_once_rank_0_said_it(int code, const std::string& unsaid, int rank);

// A rank's own error, already printed: waits up to 2 s before ending the job, so that the other
// ranks, which may have met the same error, print theirs before the launcher kills them (in a
// joined MPI job: until every rank leaves on an error, else it ends the job).
int exit_code_once_the_ranks_said_theirs(int code);

}  // namespace mgscope

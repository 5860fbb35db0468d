// How a rank of an MPI job leaves on an error of its start (a bad option, a settings file, a module
// that did not load). Under mpirun the first rank to exit non-zero ends the job: the launcher kills
// the others at once, maybe before they have printed, and rank 0, started last or slowed by a busy
// node, could be killed before saying an error that every rank found.
#pragma once
#include <string>

namespace mgscope {

// An error every rank finds alike is said by rank 0 alone. Every rank then joins the MPI job if it
// had not and waits up to 5 s for all the ranks to leave (leave_on_error), which tells the others
// whether rank 0 failed; they keep what they would have printed (`unsaid`). A rank that finds rank
// 0 did not fail, or is still waiting after 5 s, met an error rank 0 did not (a settings file
// missing on its node only): it says it, naming itself, and 2 s later (for the others to say
// theirs) ends the job (end_the_job_if_joined, else by exiting). Without an MPI job to join (no
// module, a build without MPI) rank 0 returns `code` at once and the others wait the 5 s for the
// launcher to end the job as rank 0 exits. Outside an MPI job of several processes, returns `code`
// at once.
int exit_code_once_rank_0_said_it(int code, const std::string& unsaid, int rank);

// A rank's own error, already printed: waits up to 2 s before ending the job, so that the other
// ranks, which may have met the same error, print theirs before the launcher kills them (in a
// joined MPI job: until every rank leaves on an error, else it ends the job).
int exit_code_once_the_ranks_said_theirs(int code);

}  // namespace mgscope

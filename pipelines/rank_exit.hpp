// How a rank of an MPI job leaves on an error of its start (a bad option, a settings file, a module
// that did not load). Under mpirun the first rank to exit non-zero ends the job: the launcher kills
// the others at once, maybe before they have printed, and rank 0, started last or slowed by a busy
// node, could be killed before saying an error that every rank found.
#pragma once
#include <string>

namespace mgscope {

// An error every rank finds alike is said by rank 0 alone, which then ends the job at once. Another
// rank keeps what it would have printed (`unsaid`) and waits for that end. If the job is still
// running after a few seconds (rank 0 did not find the error: a settings file missing on this
// rank's node only), this rank says it, naming itself, and ends the job.
// A rank that has joined the MPI job ends it with MPI_Abort (end_the_job_if_joined), else by
// returning `code` to exit with, as does any process outside an MPI job of several.
int exit_code_once_rank_0_said_it(int code, const std::string& unsaid, int rank);

// A rank's own error, already printed: waits a moment before ending the job, so that the other
// ranks, which may have met the same error, print theirs before the launcher kills them.
int exit_code_once_the_ranks_said_theirs(int code);

}  // namespace mgscope

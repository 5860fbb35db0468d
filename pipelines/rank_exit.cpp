// The wait before a rank's exit on a start-up error (rank_exit.hpp).
#include "pipelines/rank_exit.hpp"

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "pipelines/work_team.hpp"

namespace mgscope {

namespace {

// How long a quiet rank waits for rank 0 to say the error: rank 0 parses the same command line as
// fast, but may start later (mpirun starts the ranks one after another) or run on a busy node.
constexpr double kRank0SaysItWithin_s = 5;
// How long a rank that said its own error waits for the others to say theirs.
constexpr double kRanksSayTheirsWithin_s = 2;

// `text` with every line's "ERROR: " naming the rank ("ERROR: rank 2: ...").
std::string naming_rank(const std::string& text, int rank) {
  const std::string error = "ERROR: ", named = error + "rank " + std::to_string(rank) + ": ";
  std::string out;
  std::size_t line = 0;
  while (line < text.size()) {
    std::size_t end = text.find('\n', line);
    end = end == std::string::npos ? text.size() : end + 1;
    const std::string l = text.substr(line, end - line);
    out += l.compare(0, error.size(), error) == 0 ? named + l.substr(error.size()) : l;
    line = end;
  }
  return out;
}

}  // namespace

int exit_code_once_rank_0_said_it(int code, const std::string& unsaid, int rank) {
  if (code == 0 || !launched_with_other_ranks()) return code;
  const JobLeaving leaving = leave_on_error(kRank0SaysItWithin_s);
  if (rank == 0 || leaving == JobLeaving::kAllLeftRank0Failed) {  // rank 0 said it
    if (leaving == JobLeaving::kOthersWorking) end_the_job_if_joined(code);
    return code;
  }
  // Rank 0's exit ends the job, and this rank with it.
  if (leaving == JobLeaving::kNotJoined)
    std::this_thread::sleep_for(std::chrono::duration<double>(kRank0SaysItWithin_s));
  // Still here: rank 0 has not failed with this error.
  const std::string said = naming_rank(unsaid, rank);
  std::fwrite(said.data(), 1, said.size(), stderr);  // one write: the ranks share the terminal
  if (leaving == JobLeaving::kAllLeftRank0Succeeded) return code;
  // The other ranks that met it say it too before the job ends.
  std::this_thread::sleep_for(std::chrono::duration<double>(kRanksSayTheirsWithin_s));
  end_the_job_if_joined(code);
  return code;
}

int exit_code_once_the_ranks_said_theirs(int code) {
  if (code == 0 || !launched_with_other_ranks()) return code;
  const JobLeaving leaving = leave_on_error(kRanksSayTheirsWithin_s);
  if (leaving == JobLeaving::kNotJoined)
    std::this_thread::sleep_for(std::chrono::duration<double>(kRanksSayTheirsWithin_s));
  else if (leaving == JobLeaving::kOthersWorking)
    end_the_job_if_joined(code);
  return code;
}

}  // namespace mgscope

// The wait before a rank's exit on a start-up error (rank_exit.hpp).
#include "pipelines/rank_exit.hpp"

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "pipelines/work_team.hpp"

namespace mgscope {

namespace {

// How long a quiet rank waits for rank 0 to end the job: rank 0 parses the same command line as
// fast, but may start later (mpirun starts the ranks one after another) or run on a busy node.
constexpr auto kRank0SaysItWithin = std::chrono::seconds(5);
// How long a rank that said its own error waits for the others to say theirs.
constexpr auto kRanksSayTheirsWithin = std::chrono::seconds(2);

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
  if (rank != 0) {
    std::this_thread::sleep_for(kRank0SaysItWithin);
    // Still running: the job was not ended, so rank 0 has not failed with this error.
    const std::string said = naming_rank(unsaid, rank);
    std::fwrite(said.data(), 1, said.size(), stderr);  // one write: the ranks share the terminal
  }
  end_the_job_if_joined(code);
  return code;
}

int exit_code_once_the_ranks_said_theirs(int code) {
  if (code == 0 || !launched_with_other_ranks()) return code;
  std::this_thread::sleep_for(kRanksSayTheirsWithin);
  end_the_job_if_joined(code);
  return code;
}

}  // namespace mgscope

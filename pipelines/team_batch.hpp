// A batch of input files dealt over the work team (work_team.hpp) with the rules and messages of
// the single-process batch (batch.hpp): a repeated input is skipped with a warning, a failure is
// printed as "ERROR: ..." and the batch goes on, the failures are listed at the end. The leader
// finds the repeats and prints every message in input order, so the terminal text does not
// depend on the number of processes or on which finished first.
#pragma once
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"

#include "pipelines/batch.hpp"

namespace mgscope {

// --shard K/N: this run's share of a batch is K of N (1 <= K <= N).
struct Shard {
  int index = 1, count = 1;
};
// Parses "K/N"; throws InputError naming --shard.
Shard parse_shard(const std::string& text);

struct TeamBatchJob {
  std::vector<std::string> inputs;
  Shard shard;
  // The leader's decisions before dealing. cost: larger inputs are dealt first (default: the
  // file's size in bytes). done_before: the input's result when an earlier run left it up to
  // date, else nothing (default: nothing).
  std::function<double(std::size_t)> cost;
  std::function<std::optional<nlohmann::json>(std::size_t)> done_before;
  // Runs input i on any process of the team and returns what the leader needs of it; throws
  // for a bad input (the message is printed as the single-process batch prints it).
  std::function<nlohmann::json(std::size_t)> run;
  // On the leader, in input order, for each input done now or before.
  std::function<void(std::size_t, const nlohmann::json&)> use;
  // A process alone runs this many inputs at the same time (run must then be thread-safe).
  int at_once = 1;
  // With at_once > 1: the inputs share the cores through a lender (core_lending.hpp), whose cores
  // their parallel loops borrow: run's loops may be given every core's threads, and a worker that
  // finds no input left lends its core to those still running.
  bool lend_cores = false;
  // The command ("hrtem"), for a failed input's hint at the command that reads it (reader_hint.hpp).
  std::string command;
};

struct TeamBatchResult {
  BatchResult batch;   // on the leader; empty on the other processes
  int up_to_date = 0;  // inputs whose result came from done_before
  int share = 0;       // the inputs of this shard (all but the repeats without --shard), on the leader
  int exit_code() const { return batch.exit_code(); }
};

// Every process of the team calls this with the same job. The inputs of the shard are the
// inputs that are not repeats, ordered by decreasing cost (ties in input order), of which shard
// K of N takes the k-th when k mod N = K - 1 (k from 0): a rule of the inputs alone, never of
// timing. A repeat is warned of by the shard whose share holds the input it repeats. Messages go
// to `err` on the leader; with a shard of more than one, the closing count of failures ("N of M
// inputs failed") counts the shard's inputs, not the command line's.
TeamBatchResult run_team_batch(const TeamBatchJob& job, std::ostream& err);

}  // namespace mgscope

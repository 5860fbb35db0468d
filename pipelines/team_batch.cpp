// Repeats and shares decided by the leader, the work dealt, the results used in input order.
#include "pipelines/team_batch.hpp"

#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <ostream>

#include "fitting/base/error.hpp"
#include "pipelines/output_guard.hpp"
#include "pipelines/reader_hint.hpp"
#include "pipelines/work_team.hpp"

namespace mgscope {

namespace {

double file_bytes(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? double(st.st_size) : 0.0;
}

// Input i run on this process: {"ok": true, "result": ...} or {"ok": false, "error": message}, as
// CBOR (which, unlike JSON text, keeps a file name's bytes whatever they are).
std::string run_one(const TeamBatchJob& job, std::size_t i) {
  nlohmann::json r;
  try {
    r = {{"ok", true}, {"result", job.run(i)}};
  } catch (const OutputError& e) {  // no fault of the input: no hint at another command
    r = {{"ok", false}, {"error", e.what()}, {"output", true}};
  } catch (const std::exception& e) {
    r = {{"ok", false}, {"error", e.what() + reader_hint(job.inputs[i], job.command)}};
  }
  const std::vector<std::uint8_t> bytes = nlohmann::json::to_cbor(r);
  return std::string(bytes.begin(), bytes.end());
}

// What became of one input.
enum class Fate { not_ours, repeat, pending, done };

}  // namespace

Shard parse_shard(const std::string& text) {
  Shard s;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d/%d%c", &s.index, &s.count, &tail) != 2 || s.count < 1 || s.index < 1 ||
      s.index > s.count)
    fail_input("--shard", "'" + text + "' is not K/N with 1 <= K <= N (e.g. --shard 3/8)");
  return s;
}

TeamBatchResult run_team_batch(const TeamBatchJob& job, std::ostream& err) {
  const WorkTeam& team = work_team();
  const std::vector<std::string>& inputs = job.inputs;
  TeamBatchResult result;
  if (!team.leader()) {
    note_inputs(inputs);  // no output may overwrite an input, on any process
    deal_work({}, [&](std::size_t i) { return run_one(job, i); }, [](std::size_t, std::string) {});
    return result;
  }

  // The leader: repeats, this shard's inputs, what is already done, then the dealing.
  const std::vector<BatchRepeat> repeats = batch_repeats(inputs);
  const std::size_t n = inputs.size();
  std::vector<double> cost(n, 0.0);
  std::vector<std::size_t> unique;
  for (std::size_t i = 0; i < n; ++i) {
    if (!repeats[i].empty()) continue;
    unique.push_back(i);
    cost[i] = job.cost ? job.cost(i) : file_bytes(inputs[i]);
  }
  std::vector<Fate> fate(n, Fate::not_ours);
  {
    std::vector<double> unique_cost;
    for (std::size_t i : unique) unique_cost.push_back(cost[i]);
    const std::vector<std::size_t> by_cost = largest_first(unique_cost);
    for (std::size_t k = 0; k < by_cost.size(); ++k)
      if (int(k % std::size_t(job.shard.count)) == job.shard.index - 1) {
        fate[unique[by_cost[k]]] = Fate::pending;
        ++result.share;
      }
  }
  // A repeat is said by the shard whose share holds the input it repeats: each shard of its own
  // share only (every shard had warned of every repeat), and the gathered run, one shard of all, once.
  for (std::size_t i = 0; i < n; ++i)
    if (!repeats[i].empty() && fate[repeats[i].first] == Fate::pending) fate[i] = Fate::repeat;
  std::vector<nlohmann::json> outcome(n);
  std::vector<std::size_t> to_run;
  for (std::size_t i = 0; i < n; ++i) {
    if (fate[i] != Fate::pending) continue;
    std::optional<nlohmann::json> before = job.done_before ? job.done_before(i) : std::nullopt;
    if (before) {
      outcome[i] = {{"ok", true}, {"result", std::move(*before)}};
      fate[i] = Fate::done;
      ++result.up_to_date;
    } else {
      to_run.push_back(i);
    }
  }
  // A team of one runs in input order, so each input's lines appear as soon as it is done.
  std::vector<std::size_t> order = to_run;
  if (team.size > 1) {
    std::vector<double> run_cost;
    for (std::size_t i : to_run) run_cost.push_back(cost[i]);
    order.clear();
    for (std::size_t k : largest_first(run_cost)) order.push_back(to_run[k]);
  }

  BatchResult& batch = result.batch;
  std::size_t printed = 0;  // inputs before this one have been reported
  auto report_ready = [&] {
    for (; printed < n; ++printed) {
      const std::size_t i = printed;
      if (fate[i] == Fate::pending) return;
      if (fate[i] == Fate::repeat) {
        print_batch_repeat(repeats[i].warning, err);
        batch.warnings.push_back(repeats[i].warning);
      } else if (fate[i] == Fate::done) {
        if (outcome[i].value("ok", false)) {
          job.use(i, outcome[i]["result"]);
          ++batch.succeeded;
        } else {
          const std::string message = outcome[i].value("error", std::string("failed"));
          print_batch_error(inputs[i], message, err);
          batch.failures.push_back({inputs[i], message, outcome[i].value("output", false)});
        }
        outcome[i] = nullptr;  // used: free it
      }
    }
  };
  report_ready();
  deal_work(
      order, [&](std::size_t i) { return run_one(job, i); },
      [&](std::size_t i, std::string text) {
        outcome[i] = nlohmann::json::from_cbor(text);
        fate[i] = Fate::done;
        report_ready();
      },
      job.at_once, job.lend_cores);
  report_ready();
  // A shard did its share: "1 of 4 inputs failed" of the 4 it ran, not of the command line's 12.
  print_batch_failures(batch, job.shard.count > 1 ? std::size_t(result.share) : n, err);
  return result;
}

}  // namespace mgscope

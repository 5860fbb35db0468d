#include "pipelines/sample_batch.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "fitting/base/core_lending.hpp"
#include "pipelines/sample_manifest.hpp"
#include "pipelines/work_team.hpp"

namespace mgscope {

namespace {

// The bytes of a sample's input files: the cost by which samples are dealt. 0 when the manifest
// cannot be read (run_sample reports that).
double input_bytes(const std::string& manifest) {
  double bytes = 0;
  try {
    for (const Measurement& m : read_sample_manifest(manifest).measurements)
      for (const std::string& f : m.files) {
        struct stat st {};
        if (::stat(f.c_str(), &st) == 0) bytes += double(st.st_size);
      }
  } catch (const std::exception&) {
  }
  return bytes;
}

// The threads of the whole run: --threads, else the usable cores.
int threads_in_all(const SampleRunOptions& options) { return options.threads > 0 ? options.threads : usable_cores(); }

}  // namespace

int samples_side_by_side(const SampleRunOptions& options, std::size_t samples) {
  if (work_team().size > 1) return 1;  // the ranks share the samples
  const int threads = threads_in_all(options);
  const int wanted = options.samples_at_once > 0 ? options.samples_at_once : threads;
  return std::max(1, std::min({wanted, threads, int(samples)}));
}

std::vector<SampleRunResult> run_samples(const std::vector<std::string>& manifests,
                                         const std::vector<std::filesystem::path>& dirs,
                                         const SampleRunOptions& options, const CLI::App& root, Progress* progress) {
  const WorkTeam& team = work_team();
  const int at_once = samples_side_by_side(options, manifests.size());
  // Samples side by side share the threads; each runs its modules on its share. On all the cores
  // (no --threads), a module started once a sample has ended borrows the core it freed
  // (module_runner.cpp); a --threads limit is kept to the letter.
  SampleRunOptions each = options;
  if (at_once > 1) each.threads = std::max(1, threads_in_all(options) / at_once);
  const bool lend_cores = options.threads == 0;
  std::vector<std::size_t> order;
  if (team.leader()) {
    std::vector<double> cost(manifests.size(), 0.0);
    if (team.size > 1 || at_once > 1)
      for (std::size_t i = 0; i < manifests.size(); ++i) cost[i] = input_bytes(manifests[i]);
    order = largest_first(cost);  // one sample at a time: all costs 0, manifest order
  }
  std::vector<SampleRunResult> results(team.leader() ? manifests.size() : 0);
  // Samples run at the same time (by MPI ranks, or side by side in this process) send their lines
  // with their result, and the leader prints them in manifest order, so that they do not
  // interleave; one sample at a time prints them as they happen. Samples side by side share the
  // bar, each naming its module as it goes.
  const bool keep_lines = team.size > 1 || at_once > 1;
  if (team.size > 1) progress = nullptr;  // ranks print their samples' lines as they go: no bar
  std::vector<std::string> lines(results.size());
  std::vector<bool> arrived(results.size(), false);
  std::size_t printed = 0;
  // What the leader needs of a sample travels as CBOR, in a team of one too: every path gives the
  // study the same report.
  deal_work(
      order,
      [&](std::size_t i) {
        std::string transcript;
        const SampleRunResult r =
            run_sample(manifests[i], dirs[i], each, root, progress, keep_lines ? &transcript : nullptr);
        const std::vector<std::uint8_t> bytes =
            nlohmann::json::to_cbor({{"report", r.report}, {"failures", r.failures}, {"lines", transcript}});
        return std::string(bytes.begin(), bytes.end());
      },
      [&](std::size_t i, std::string text) {
        const nlohmann::json j = nlohmann::json::from_cbor(text);
        SampleRunResult& r = results[i];
        r.manifest = manifests[i];
        r.out_dir = dirs[i];
        r.report = j.at("report");
        r.failures = j.at("failures").get<std::vector<std::string>>();
        lines[i] = j.at("lines").get<std::string>();
        arrived[i] = true;
        for (; printed < arrived.size() && arrived[printed]; ++printed) {
          if (progress) {
            progress->print(lines[printed]);
          } else {
            std::fputs(lines[printed].c_str(), stdout);
            std::fflush(stdout);
          }
        }
        if (progress) progress->step();
      },
      at_once, lend_cores);
  return results;
}

}  // namespace mgscope

// `mgscope sample MANIFEST... -o OUTDIR`: every measurement of a sample, then report.json and
// report.html (docs/report.md).
#include <cstdio>
#include <iostream>

#include "pipelines/commands.hpp"
#include "pipelines/folder_lock.hpp"
#include "pipelines/sample_batch.hpp"
#include "pipelines/sample_run.hpp"
#include "pipelines/work_team.hpp"

namespace mgscope {

namespace {

struct SampleCli {
  std::vector<std::string> manifests;
  std::string out_dir;
  SampleRunOptions run;
};

}  // namespace

void add_sample_command(CLI::App& app, CommandContext& ctx) {
  auto cli = std::make_shared<SampleCli>();
  CLI::App* cmd = app.add_subcommand(
      kSampleCommand,
      "Run every measurement of a sample manifest (sample.toml; see `mgscope init`) and write "
      "OUTDIR/report.json, OUTDIR/report.html, OUTDIR/<module>/ and OUTDIR/logs/. Modules whose "
      "inputs and settings are unchanged are not run again. Several manifests: OUTDIR/<sample>/ each, shared "
      "among the ranks under mpirun (docs/cluster.md).");
  cmd->add_option("manifests", cli->manifests, "Sample manifests (TOML)")->required();
  cmd->add_option("-o,--out", cli->out_dir, "Output folder")->required();
  add_sample_run_options(*cmd, cli->run);
  const CLI::App* root = &app;
  cmd->callback([cli, root, &ctx]() {
    const FolderLock lock(cli->out_dir, kSampleCommand, work_team().size > 1);
    if (!lock.warning().empty()) std::fprintf(stderr, "WARNING: %s\n", lock.warning().c_str());
    std::vector<std::string> repeats;
    const std::vector<std::string> manifests = distinct_manifests(cli->manifests, repeats);
    if (work_team().leader())
      for (const std::string& w : repeats) std::fprintf(stderr, "WARNING: %s\n", w.c_str());
    // One sample (given once, or again by another path) writes into OUTDIR itself.
    const std::vector<std::filesystem::path> dirs =
        manifests.size() == 1 ? std::vector<std::filesystem::path>{cli->out_dir}
                              : sample_out_dirs(manifests, cli->out_dir);
    Progress progress(int(manifests.size()));
    const std::vector<SampleRunResult> runs = run_samples(manifests, dirs, cli->run, *root, &progress);
    progress.finish();
    std::vector<std::string> failures;
    for (const SampleRunResult& r : runs)
      for (const std::string& f : r.failures) failures.push_back(failure_at(r.manifest.string(), f));
    ctx.exit_code = report_batch_failures(failures);
  });
}

}  // namespace mgscope

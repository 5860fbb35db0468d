// `mgscope study STUDY.toml... -o OUTDIR`: every sample of a study (reusing up-to-date modules),
// then the study's table, correlations, figures and page (docs/report.md).
#include <cstdio>
#include <iostream>

#include "pipelines/atomic_file.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/folder_lock.hpp"
#include "pipelines/module_runner.hpp"
#include "pipelines/output_guard.hpp"
#include "pipelines/output_record.hpp"
#include "pipelines/sample_batch.hpp"
#include "pipelines/sample_run.hpp"
#include "pipelines/study_report.hpp"
#include "pipelines/work_team.hpp"

namespace mgscope {

namespace {

struct StudyCli {
  std::vector<std::string> studies;
  std::string out_dir;
  SampleRunOptions run;
};

// One study into `out_dir`; returns its failures.
std::vector<std::string> run_study(const std::string& path, const std::filesystem::path& out_dir,
                                   const SampleRunOptions& run, const CLI::App& root) {
  StudyManifest study = read_study_manifest(path);
  check_study_treatment(study);  // before any sample runs
  // A missing reference table (the demo's lives in ../shared, outside the repository) skips the
  // power law: a study on a fresh clone must not fail for it.
  // Its option keys are checked now, as a sample's are: a typo had failed only after every sample
  // ran, and not at all when the table was missing.
  if (study.powerlaw) (void)check_manifest_options(*study.powerlaw, root, path);
  if (study.powerlaw && !study.powerlaw->error.empty()) {
    study.warnings.push_back(path + ": [powerlaw] skipped: " + study.powerlaw->error);
    study.powerlaw.reset();
  }
  if (work_team().leader())
    for (const std::string& w : study.warnings) std::fprintf(stderr, "WARNING: %s\n", w.c_str());
  const auto dirs = sample_out_dirs(study.samples, out_dir / "samples");
  // The old study page links the samples' reports, which a sample whose modules run again removes
  // first: a run killed meanwhile had left the page linking pages that were gone. It is written
  // again at the end.
  if (work_team().leader())
    remove_old_outputs(out_dir, {"study.html", "study.json"},
                       "cannot remove the old study page before its samples "
                       "run again");
  Progress progress(int(study.samples.size()));
  const std::vector<SampleRunResult> runs = run_samples(study.samples, dirs, run, root, &progress);
  progress.finish();
  if (!work_team().leader()) return {};  // the leader writes the study's outputs
  std::vector<SampleInStudy> samples;
  std::vector<std::string> failures;
  for (std::size_t i = 0; i < study.samples.size(); ++i) {
    for (const std::string& f : runs[i].failures) failures.push_back(failure_at(study.samples[i], f));
    samples.push_back({study.samples[i], dirs[i], runs[i].report, runs[i].failures});
  }

  // The reference power law across alloys, stamped like a sample's module.
  std::filesystem::path powerlaw_dir;
  std::string powerlaw_status = "ok";  // or up-to-date: study.json says it as the terminal does
  nlohmann::json powerlaw_report;      // for the last line's count of warnings
  if (study.powerlaw) {
    std::vector<ModuleJob> jobs(1);
    ModuleJob& job = jobs[0];
    job.module = "powerlaw";
    job.out_dir = out_dir / "powerlaw";
    job.log = out_dir / "logs" / "powerlaw.log";
    job.args = module_arguments(*study.powerlaw, job.out_dir);
    job.inputs = study.powerlaw->files;
    run_module_jobs(jobs, 0, run.force, [](const ModuleJob& j) {
      std::printf("  %-9s %s%s%s\n", j.module.c_str(), j.status == "up-to-date" ? "up to date" : j.status.c_str(),
                  j.redo_reason.empty() ? "" : (", run again: " + j.redo_reason).c_str(),
                  j.error.empty() ? "" : (": " + j.error).c_str());
    });
    if (job.status == "failed") {
      failures.push_back(path + ": powerlaw: " + job.error);
    } else {
      powerlaw_dir = job.out_dir;
      powerlaw_status = job.status;
      // Its warnings as a sample's module gives them: the terminal had said "powerlaw ok" over a
      // doubted n. An unreadable powerlaw.json is warned of with the study's outputs.
      try {
        powerlaw_report = powerlaw_module(powerlaw_dir, job.status);
        const nlohmann::json report = {{"modules", {powerlaw_report}}};
        std::fputs(doubted_numbers_text(report, "study.html").c_str(), stdout);
      } catch (const std::exception&) {
      }
    }
  }
  // Its own files only (a trend figure of a quantity no sample has now had stayed); a sample taken out
  // of the study keeps its folder, as an image taken out of an hrtem batch does.
  OutputRecord record(out_dir, kStudyCommand, /*top_level_only=*/true);
  for (const std::string& w : write_study_outputs(study, samples, out_dir, powerlaw_dir, run.threads, powerlaw_status))
    std::fprintf(stderr, "WARNING: %s\n", w.c_str());
  commit_outputs(record, std::cerr);
  std::printf("%s: %s; wrote %s (study.csv, study.json, correlations.csv, figures)\n", study.name.c_str(),
              study_samples_text(samples, powerlaw_report).c_str(), (out_dir / "study.html").string().c_str());
  return failures;
}

}  // namespace

void add_study_command(CLI::App& app, CommandContext& ctx) {
  auto cli = std::make_shared<StudyCli>();
  CLI::App* cmd = app.add_subcommand(
      kStudyCommand,
      "Run the samples of a study (STUDY.toml: treatment = \"ctc_cycles\", samples = [\"a/sample.toml\", ...]) "
      "and write OUTDIR/study.csv, study.json, correlations.csv, study_<quantity>.png, study.html and "
      "OUTDIR/samples/<sample>/. Several studies: OUTDIR/<study>/ each. Under mpirun the samples are shared "
      "among the ranks, with the same outputs (docs/cluster.md).");
  cmd->add_option("studies", cli->studies, "Study files (TOML)")->required();
  cmd->add_option("-o,--out", cli->out_dir, "Output folder")->required();
  add_sample_run_options(*cmd, cli->run);
  const CLI::App* root = &app;
  cmd->callback([cli, root, &ctx]() {
    const FolderLock lock(cli->out_dir, kStudyCommand, work_team().size > 1);
    if (!lock.warning().empty()) std::fprintf(stderr, "WARNING: %s\n", lock.warning().c_str());
    std::vector<std::string> repeats;
    const std::vector<std::string> studies = distinct_manifests(cli->studies, repeats);
    if (work_team().leader())
      for (const std::string& w : repeats) std::fprintf(stderr, "WARNING: %s\n", w.c_str());
    // OUTDIR/<stem>/ each, "_2", "_3" added to a stem met before: a/study.toml and b/study.toml
    // had both written OUTDIR/study/, the second over the first.
    const std::vector<std::string> stems = distinct_stems(studies);
    std::vector<std::string> failures;
    for (std::size_t i = 0; i < studies.size(); ++i) {
      const std::filesystem::path out = studies.size() == 1 ? std::filesystem::path(cli->out_dir)
                                                            : std::filesystem::path(cli->out_dir) / stems[i];
      try {
        for (std::string& f : run_study(studies[i], out, cli->run, *root)) failures.push_back(std::move(f));
      } catch (const std::exception& e) {
        failures.push_back(e.what());
      }
    }
    if (work_team().leader()) ctx.exit_code = report_batch_failures(failures);
  });
}

}  // namespace mgscope

// One sample end to end (manifest -> module runs -> report.json + report.html), and the batch of
// samples shared by `mgscope sample` and `mgscope study`.
#pragma once
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"
#include "pipelines/sample_manifest.hpp"

// Only references to the app: its 4.7 s header stays with the files that build or parse one.
namespace CLI {
class App;
}

namespace mgscope {

struct SampleRunOptions {
  bool force = false;  // redo modules even when their stamps say they are up to date
  // 0: one module at a time, on every core it has; N: N threads in all, shared by up to N modules
  // at once (module_threads_each, module_runner.hpp).
  int threads = 0;
  // Samples run side by side in one process (not under MPI): 0, one per thread (samples_side_by_side).
  int samples_at_once = 0;
};

struct SampleRunResult {
  std::filesystem::path manifest;
  std::filesystem::path out_dir;
  nlohmann::json report;             // report.json as written; null when the manifest was unreadable
  std::vector<std::string> failures;  // "module: message" per failed module, or the manifest error
  bool ok() const { return failures.empty(); }
};

// Runs every measurement of `manifest` into `out_dir` (OUTDIR/<module>, OUTDIR/logs) and writes
// OUTDIR/report.json and OUTDIR/report.html. `root` is the mgscope app: manifest options are
// checked against its subcommands before anything runs. Prints one line per module to stdout as
// it goes, or appends the lines to `transcript` when given (an MPI rank: the leader prints them).
// Never throws for bad input: an unreadable manifest is a failure in the result.
class Progress;
SampleRunResult run_sample(const std::filesystem::path& manifest, const std::filesystem::path& out_dir,
                           const SampleRunOptions& options, const CLI::App& root, Progress* progress = nullptr,
                           std::string* transcript = nullptr);

// The folder of each manifest under `out_dir` when a call holds several: the sample's file stem
// (its parent folder's name when the file is sample.toml), made unique.
std::vector<std::filesystem::path> sample_out_dirs(const std::vector<std::string>& manifests,
                                                   const std::filesystem::path& out_dir);

// For each of `manifests`, the index of the first one that is the same file (itself when no
// earlier one is): a manifest given again by another path (./a.toml, x/../a.toml, a symbolic or
// hard link) would be analysed and counted twice.
std::vector<std::size_t> first_of_same_file(const std::vector<std::string>& manifests);

// `manifests` with each file once, in their order; each repeat adds "B is the same file as A:
// analysed once" to `warnings`.
std::vector<std::string> distinct_manifests(const std::vector<std::string>& manifests,
                                            std::vector<std::string>& warnings);

// The terminal's lines for a report's warnings, per module that has any and did not fail: its status
// as the page says it ("  dsc       ok with 1 warning (report.html; logs/dsc.log)") and the warnings
// that doubt no number given; then, for the numbers it doubts, "  hrtem     doubted: <keys>" and
// their warnings. Up to five warnings each, those of one kind about several images as one line
// ("8 images (a, b, c, d, e and 3 more): ..."), as on the page; "" when nothing is warned of. A
// module's warnings had reached the log and the page while the terminal said "dsc ok". `page` is
// the page that lists them all (a study's power law is on study.html).
std::string doubted_numbers_text(const nlohmann::json& report, const std::string& page = "report.html");

// Every option of `m` must be a long option of its module's subcommand in `root`, of the kind its
// value is (a switch true/false, a valued option no boolean, a list not empty): an InputError
// naming `manifest` and the key otherwise, before anything runs. Returns why the module cannot
// run (a setting's file missing, the module not built), or "".
std::string check_manifest_options(const Measurement& m, const CLI::App& root, const std::string& manifest);

// --force and --threads, shared by `sample` and `study`.
void add_sample_run_options(CLI::App& cmd, SampleRunOptions& options);

// "WHERE: FAILURE" for the list at the end of a batch, or FAILURE alone when it begins with WHERE
// already (a manifest that could not be read names itself).
std::string failure_at(const std::string& where, const std::string& failure);

// Lists the failures at the end of a batch on stderr; returns the exit code (1 when any).
int report_batch_failures(const std::vector<std::string>& failures);

// A progress bar on stderr, drawn only when stderr is a terminal. Samples run side by side share
// one: every call takes its lock.
class Progress {
 public:
  explicit Progress(int total);
  void show(const std::string& what);  // redraws with a label, e.g. "ascast: hrtem"
  void step();                         // one more done
  void clear();                        // erases the bar before other output to the terminal
  void finish() { clear(); }
  // Prints `lines` to stdout above the bar (which is redrawn), so that no other thread's redraw
  // lands between the erasing and the lines.
  void print(const std::string& lines);

 private:
  void draw();  // the lock held
  std::mutex mutex_;
  int total_, done_ = 0;
  std::string label_;
  bool tty_;
};

}  // namespace mgscope

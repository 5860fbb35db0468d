// Manifest -> module jobs -> child processes -> report files, for one sample.
#include "pipelines/sample_run.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <iostream>
#include <map>

#include "fitting/base/error.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/module_runner.hpp"
#include "pipelines/reader_hint.hpp"
#include "pipelines/report_headlines.hpp"
#include "pipelines/report_warning_groups.hpp"
#include "pipelines/sample_manifest.hpp"
#include "pipelines/sample_report.hpp"
#include "pipelines/usage_errors.hpp"

namespace mgscope {

namespace fs = std::filesystem;

namespace {

// A module's folder is emptied before it runs: it must not hold one of its own inputs (say
// `-o` is the raw-data folder and the images sit in raw/hrtem/).
std::string input_inside(const ModuleJob& job) {
  const std::string dir = fs::weakly_canonical(job.out_dir).string() + "/";
  for (const std::string& in : job.inputs)
    if (fs::weakly_canonical(in).string().rfind(dir, 0) == 0)
      return "input " + in + " is inside the module's output folder " + job.out_dir.string() +
             ", which is emptied before each run: choose another -o";
  return "";
}

// A line for the terminal: printed at once, or kept in `transcript` when there is one.
[[gnu::format(printf, 2, 3)]] void say(std::string* transcript, const char* format, ...) {
  va_list args, again;
  va_start(args, format);
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, format, args);
  std::string line(std::size_t(std::max(n, 0)), '\0');
  std::vsnprintf(line.data(), line.size() + 1, format, again);
  va_end(again);
  va_end(args);
  if (transcript) {
    *transcript += line;
  } else {
    std::fputs(line.c_str(), stdout);
    std::fflush(stdout);
  }
}

// The terminal's share of "a doubted number carries its warning everywhere".
void say_doubted_numbers(const nlohmann::json& report, std::string* transcript) {
  const std::string text = doubted_numbers_text(report);
  if (!text.empty()) say(transcript, "%s", text.c_str());
}

}  // namespace

// Every manifest option must be a long option of the module's subcommand: a typo is caught
// before anything runs, naming the manifest and the key. A module missing from this build
// fails alone.
std::string check_manifest_options(const Measurement& m, const CLI::App& root, const std::string& manifest) {
  const CLI::App* sub = nullptr;
  try {
    sub = root.get_subcommand(m.module);
  } catch (const CLI::OptionNotFound&) {
  }
  if (sub) {
    for (const auto& [key, value] : m.options.items()) {
      const std::string where = "key '" + m.module + ".options." + key + "': ";
      const CLI::Option* option = nullptr;
      try {
        option = sub->get_option("--" + key);
      } catch (const CLI::OptionNotFound&) {
        fail_input(manifest, where + "`mgscope " + m.module + "` has no option --" + key + " (see mgscope " + m.module +
                                 " --help)");
      }
      // The value's kind must be the option's: `gallery = "no"` had passed "no" on as an image to
      // analyse, `units = true` had given --units no value, and `area-coefficients = []` or
      // `figures = false` had been dropped without a word.
      const bool any_boolean =
          value.is_boolean() ||
          (value.is_array() &&
           std::any_of(value.begin(), value.end(), [](const nlohmann::json& v) { return v.is_boolean(); }));
      const bool flag = option->get_expected_max() == 0;
      if (flag && !value.is_boolean())
        fail_input(manifest,
                   where + "--" + key + " is a switch: write " + key + " = true (or false), not " + value.dump());
      if (!flag && any_boolean)
        fail_input(manifest,
                   where + "--" + key + " takes a value (see mgscope " + m.module + " --help), not " + value.dump());
      if (value.is_array() && value.empty())
        fail_input(manifest, where + "an empty list gives --" + key + " no value: give one, or leave the key out");
    }
  }
  if (!m.error.empty()) return m.error;
  if (!sub) return "this mgscope has no `" + m.module + "` subcommand (built without that module)";
  return "";
}

namespace {

// The folder and log of a module the manifest no longer has (its table taken out since the last
// run): OUTDIR/creep/ had stayed beside a report without creep, its numbers passing for the
// sample's. Only a folder that a module run made (it holds the stamp) is removed.
void remove_dropped_modules(const SampleManifest& manifest, const fs::path& out_dir, std::string* transcript) {
  for (const ModuleSpec& spec : report_modules()) {
    const bool kept = std::any_of(manifest.measurements.begin(), manifest.measurements.end(),
                                  [&](const Measurement& m) { return m.module == spec.name; });
    const fs::path folder = out_dir / spec.name;
    std::error_code ec;
    if (kept || !fs::exists(folder / ".mgscope-stamp.json", ec)) continue;
    fs::remove_all(folder, ec);
    if (ec) fail_output(folder, "cannot remove the outputs of a module the manifest no longer has", ec.value());
    fs::remove(out_dir / "logs" / (std::string(spec.name) + ".log"), ec);
    say(transcript, "  %-9s removed: the manifest has no [%s] table now (its outputs of an earlier run were in %s)\n",
        spec.name, spec.name, folder.string().c_str());
  }
}

}  // namespace

SampleRunResult run_sample(const fs::path& manifest_path, const fs::path& out_dir, const SampleRunOptions& options,
                           const CLI::App& root, Progress* progress, std::string* transcript) {
  SampleRunResult result;
  result.manifest = manifest_path;
  result.out_dir = out_dir;
  try {
    const SampleManifest manifest = read_sample_manifest(manifest_path);
    std::vector<ModuleJob> jobs;
    for (const Measurement& m : manifest.measurements) {
      ModuleJob job;
      job.module = m.module;
      job.out_dir = out_dir / m.module;
      job.log = out_dir / "logs" / (m.module + ".log");
      job.args = module_arguments(m, job.out_dir);
      job.inputs = m.files;
      job.missing_inputs = m.missing_inputs;
      job.precheck_error = check_manifest_options(m, root, manifest_path.string());
      if (job.precheck_error.empty()) job.precheck_error = input_inside(job);
      jobs.push_back(std::move(job));
    }
    create_output_folder(out_dir);
    // The bar is erased before lines to the terminal; lines kept in a transcript leave it standing.
    if (progress && !transcript) progress->clear();
    say(transcript, "%s (%s):\n", manifest.name.c_str(), manifest_path.string().c_str());
    if (progress) progress->show(manifest.name + ": " + (jobs.empty() ? "" : jobs.front().module));
    // The old report describes the module folders about to be emptied: a run killed meanwhile must
    // not leave it beside them (a --force run killed had left the old report until the next run).
    const auto remove_old_report = [&] {
      remove_old_outputs(out_dir, {"report.html", "report.json"},
                         "cannot remove the old report before its modules run again");
    };
    run_module_jobs(
        jobs, options.threads, options.force,
        [&](const ModuleJob& job) {
          if (progress && !transcript) progress->clear();
          if (job.status == "up-to-date")
            say(transcript, "  %-9s up to date\n", job.module.c_str());
          else if (job.status == "ok" && !job.redo_reason.empty())
            say(transcript, "  %-9s ok (%.1f s), run again: %s\n", job.module.c_str(), job.seconds,
                job.redo_reason.c_str());
          else if (job.status == "ok")
            say(transcript, "  %-9s ok (%.1f s)\n", job.module.c_str(), job.seconds);  // its own time
          else
            say(transcript, "  %-9s FAILED: %s\n", job.module.c_str(), job.error.c_str());
          if (progress) progress->show(manifest.name + ": " + job.module + " " + job.status);
        },
        remove_old_report);
    remove_dropped_modules(manifest, out_dir, transcript);
    result.report = sample_report_json(manifest, jobs, out_dir);
    for (const auto& mod : result.report["modules"])
      if (mod["status"] == "failed")
        result.failures.push_back(mod["module"].get<std::string>() + ": " + mod["error"].get<std::string>());
    say_doubted_numbers(result.report, transcript);
    write_json_atomic(out_dir / "report.json", result.report);
    write_file_atomic(out_dir / "report.html", sample_report_html(result.report, out_dir));
    if (progress && !transcript) progress->clear();
    say(transcript, "  wrote %s and report.html\n", (out_dir / "report.json").string().c_str());
  } catch (const std::exception& e) {
    // A measurement file given as the manifest says which command reads it.
    const std::string message = e.what() + reader_hint(manifest_path.string(), "sample");
    result.failures.push_back(message);
    if (progress && !transcript) progress->clear();
    say(transcript, "  FAILED: %s\n", message.c_str());
  }
  return result;
}

std::vector<fs::path> sample_out_dirs(const std::vector<std::string>& manifests, const fs::path& out_dir) {
  std::vector<fs::path> out;
  std::map<std::string, int> used;
  for (const std::string& m : manifests) {
    const fs::path p = fs::absolute(m).lexically_normal();
    std::string name =
        p.stem() == "sample" && p.has_parent_path() ? p.parent_path().filename().string() : p.stem().string();
    if (name.empty()) name = "sample";
    const int k = used[name]++;
    out.push_back(out_dir / (k == 0 ? name : name + "_" + std::to_string(k + 1)));
  }
  return out;
}

std::vector<std::size_t> first_of_same_file(const std::vector<std::string>& manifests) {
  // A file by its device and inode (any path or link to it); a missing one by its path with
  // links and ".." resolved (its failure is then reported once).
  auto identity = [](const std::string& m) {
    struct stat st {};
    if (::stat(m.c_str(), &st) == 0) return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    std::error_code ec;
    const fs::path p = fs::weakly_canonical(fs::absolute(m), ec);
    return "path:" + (ec ? fs::absolute(m).lexically_normal() : p).string();
  };
  std::vector<std::size_t> first;
  std::map<std::string, std::size_t> seen;  // identity -> index of its first manifest
  for (std::size_t i = 0; i < manifests.size(); ++i)
    first.push_back(seen.emplace(identity(manifests[i]), i).first->second);
  return first;
}

std::vector<std::string> distinct_manifests(const std::vector<std::string>& manifests,
                                            std::vector<std::string>& warnings) {
  const std::vector<std::size_t> first = first_of_same_file(manifests);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < manifests.size(); ++i) {
    if (first[i] == i) out.push_back(manifests[i]);
    else warnings.push_back(manifests[i] + " is the same file as " + manifests[first[i]] + ": analysed once");
  }
  return out;
}

namespace {

// Up to five of `texts` as the terminal's WARNING lines, grouped as on the page.
std::string warning_lines_text(const std::vector<std::string>& texts, const std::string& module,
                               const std::string& page) {
  const std::vector<WarningLine> lines = group_warnings(texts);
  std::string out;
  // A few on the terminal (a module can have dozens, one per isotherm); all on the page.
  constexpr std::size_t kShown = 5;
  for (std::size_t i = 0; i < lines.size() && i < kShown; ++i)
    out += "            WARNING: " + warning_line_text(lines[i], warning_noun(module)) + "\n";
  if (lines.size() > kShown)
    out += "            ... and " + std::to_string(lines.size() - kShown) + " more (" + page + " and logs/" + module +
           ".log list them all)\n";
  return out;
}

std::string module_head(const std::string& module) {
  char head[64];
  std::snprintf(head, sizeof head, "  %-9s ", module.c_str());
  return head;
}

}  // namespace

std::string doubted_numbers_text(const nlohmann::json& report, const std::string& page) {
  std::string out;
  for (const auto& mod : report["modules"]) {
    const std::string module = mod["module"].get<std::string>();
    const std::vector<std::string> all = mod.value("warnings", nlohmann::json::array()).get<std::vector<std::string>>();
    std::string labels;
    std::vector<std::pair<std::string, int>> doubts;  // text, how many numbers it doubts
    for (const std::string& key : ordered_quantity_keys(mod["quantities"])) {
      const auto& q = mod["quantities"][key];
      const std::vector<std::string> w = quantity_warnings(q);
      if (w.empty() || !q["value"].is_number()) continue;
      labels += (labels.empty() ? "" : ", ") + key;  // the names of report.json and study.csv
      for (const std::string& text : w) {
        auto it = std::find_if(doubts.begin(), doubts.end(), [&](const auto& d) { return d.first == text; });
        if (it == doubts.end()) it = doubts.insert(doubts.end(), {text, 0});
        ++it->second;
      }
    }
    if (mod.contains("status") && mod["status"] != "failed" && !all.empty()) {
      std::vector<std::string> undoubting;  // the doubted block below lists the others
      for (const std::string& w : all)
        if (std::none_of(doubts.begin(), doubts.end(), [&](const auto& d) { return d.first == w; }))
          undoubting.push_back(w);
      out += module_head(module) + module_status_text(mod) + " (" + page + "; logs/" + module + ".log)\n" +
             warning_lines_text(undoubting, module, page);
    }
    if (labels.empty()) continue;
    // The most particular first (the critical region's doubt on the exponents before an input's
    // note on every number), in the module's order otherwise.
    std::stable_sort(doubts.begin(), doubts.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    std::vector<std::string> texts;
    for (const auto& d : doubts) texts.push_back(d.first);
    // Warnings of one kind about several images are one line, as on the page.
    out += module_head(module) + "doubted: " + labels + "\n" + warning_lines_text(texts, module, page);
  }
  return out;
}

void add_sample_run_options(CLI::App& cmd, SampleRunOptions& options) {
  cmd.add_flag("--force", options.force, "Run every module again, even when up to date");
  cmd.add_option("--threads", options.threads,
                 "Threads in all, shared by up to N modules (or samples) at once (0: all the cores; one sample's "
                 "modules one at a time)")
      ->check(kNonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--samples-at-once", options.samples_at_once,
                 "Several samples: run up to N side by side, sharing the threads (0: one per thread)")
      ->check(kNonNegativeNumber)
      ->capture_default_str();
}

std::string failure_at(const std::string& where, const std::string& failure) {
  return failure.rfind(where, 0) == 0 ? failure : where + ": " + failure;
}

int report_batch_failures(const std::vector<std::string>& failures) {
  if (failures.empty()) return 0;
  std::string text = std::to_string(failures.size()) + " failure(s):\n";
  for (const std::string& f : failures) {
    // A module's error holds the command's own "ERROR: FILE: ..." lines: under the failure's
    // "ERROR: SAMPLE: MODULE:", one indented line each, without the word again.
    const std::size_t inner = f.find("ERROR: ");
    if (inner == std::string::npos) {
      text += "ERROR: " + f + '\n';
      continue;
    }
    std::string head = f.substr(0, inner);
    while (!head.empty() && head.back() == ' ') head.pop_back();
    text += "ERROR: " + head + '\n';
    std::size_t at = inner;
    while (at < f.size()) {
      std::size_t end = f.find('\n', at);
      if (end == std::string::npos) end = f.size();
      std::string line = f.substr(at, end - at);
      if (line.rfind("ERROR: ", 0) == 0) line.erase(0, 7);
      if (!line.empty()) text += "  " + line + '\n';
      at = end + 1;
    }
  }
  std::fputs(text.c_str(), stderr);  // one write: under mpirun, pieces written apart interleave
  return 1;
}

Progress::Progress(int total) : total_(total), tty_(::isatty(STDERR_FILENO) == 1) {}

void Progress::draw() {
  if (!tty_) return;
  constexpr int kWidth = 30;
  const int filled = total_ > 0 ? kWidth * done_ / total_ : 0;
  std::fprintf(stderr, "\r[%s%s] %d/%d %-40.40s", std::string(std::size_t(filled), '#').c_str(),
               std::string(std::size_t(kWidth - filled), '-').c_str(), done_, total_, label_.c_str());
  std::fflush(stderr);
}

void Progress::show(const std::string& what) {
  std::lock_guard<std::mutex> lock(mutex_);
  label_ = what;
  draw();
}

void Progress::step() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++done_;
  label_.clear();
  draw();
}

void Progress::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (tty_) std::fprintf(stderr, "\r%90s\r", "");
}

void Progress::print(const std::string& lines) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (tty_) std::fprintf(stderr, "\r%90s\r", "");
  std::fputs(lines.c_str(), stdout);
  std::fflush(stdout);
  draw();
}

}  // namespace mgscope

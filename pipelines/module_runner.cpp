// posix_spawn (no shell) of /proc/self/exe per module; stamps decide what is already done.
#include "pipelines/module_runner.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <system_error>

#include "fitting/base/core_lending.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/child_wait.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/output_guard.hpp"
#include "pipelines/run_stamp.hpp"

extern char** environ;

namespace mgscope {

namespace fs = std::filesystem;

void die_with_parent_if_module() {
  const char* parent = std::getenv("MGSCOPE_PARENT_PID");
  if (parent == nullptr || *parent == '\0') return;
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  // The parent may have died before prctl: then no signal will come, so check by hand.
  if (std::to_string(::getppid()) != parent) {
    std::fprintf(stderr, "ERROR: the mgscope run that started this module (pid %s) has ended\n", parent);
    std::_Exit(1);
  }
  if (const char* threads = std::getenv(kModuleThreadsVariable)) limit_usable_cores(std::atoi(threads));
}

int module_threads_each(int threads, std::size_t jobs) {
  if (threads <= 0) return 0;
  const int at_once = int(std::min<std::size_t>(std::size_t(threads), std::max<std::size_t>(jobs, 1)));
  return std::max(1, threads / at_once);
}

fs::path self_executable() { return fs::read_symlink("/proc/self/exe"); }

nlohmann::json module_stamp(const ModuleJob& job) {
  // The output folder is where the stamp lives, not a setting: `-o out` and `-o /abs/out` (or the
  // same folder from another working directory) are one folder, and had run every module again.
  std::vector<std::string> arguments;
  for (std::size_t i = 0; i < job.args.size(); ++i) {
    arguments.push_back(job.args[i]);
    if (job.args[i] == "-o" && i + 1 < job.args.size()) ++i;
  }
  return {{"program", program_stamp()}, {"arguments", arguments}, {"inputs", files_stamp(job.inputs)}};
}

namespace {

std::vector<std::string> list_outputs(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); ++it) {
    if (!it->is_regular_file()) continue;
    // The stamps (.mgscope-stamp.json, hrtem's .mgscope-records/) are bookkeeping, not outputs.
    const std::string rel = fs::relative(it->path(), dir).generic_string();
    if (rel.rfind(".mgscope-", 0) != 0) out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool up_to_date(ModuleJob& job, const nlohmann::json& stamp) {
  std::ifstream in(job.out_dir / kStampFile);
  if (!in) return false;
  nlohmann::json old;
  try {
    in >> old;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  if (old.value("stamp", nlohmann::json()) != stamp || !old.contains("outputs")) return false;
  // A module's outputs truncated or corrupted since its run (summary.json above all, which the
  // report reads) make it run again, and say why.
  job.redo_reason = outputs_problem(job.out_dir, old.value("output_bytes", nlohmann::json()));
  if (!job.redo_reason.empty()) return false;
  job.outputs = old["outputs"].get<std::vector<std::string>>();
  return true;
}

// The child's own account of its failure: its ERROR lines, else its last line (CLI11's hint
// after a usage error says nothing, so the line before it).
std::string failure_message(const fs::path& log) {
  std::ifstream in(log);
  std::string line, last, errors;
  while (std::getline(in, line)) {
    if (line.empty() || line.rfind("Run with --help", 0) == 0) continue;
    last = line;
    if (line.rfind("ERROR", 0) == 0 && errors.size() < 2000) errors += (errors.empty() ? "" : "\n") + line;
  }
  return errors.empty() ? last : errors;
}

// The command's advice names its option ("give --pixel-size"); in a manifest that option is a key
// of the module's options table: say how, once, after the errors.
std::string with_manifest_key(const std::string& error, const std::string& module) {
  const std::size_t at = error.find(" --");
  if (at == std::string::npos) return error;
  std::size_t end = at + 3;
  while (end < error.size() && (std::isalnum(static_cast<unsigned char>(error[end])) || error[end] == '-')) ++end;
  const std::string option = error.substr(at + 3, end - at - 3);
  if (option.empty()) return error;
  return error + "\n(in the manifest, --" + option + " is a key of [" + module + "] options: options = { " + option +
         " = ... })";
}

struct Running {
  std::size_t job;
  fs::path temp_log;
  nlohmann::json stamp;  // taken before the run: an input edited during it makes the next run redo it
  std::chrono::steady_clock::time_point started;
  std::unique_ptr<CoreLoan> loan;  // cores borrowed for the run, given back when it ends
};

// Starts the child with stdout and stderr in `temp_log`; returns its pid or throws.
pid_t spawn(const ModuleJob& job, const fs::path& exe, const fs::path& temp_log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, temp_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<std::string> argv_s{exe.string()};
  argv_s.insert(argv_s.end(), job.args.begin(), job.args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The environment plus MGSCOPE_PARENT_PID=<this process> (die_with_parent_if_module).
  // With its share of the sample's threads, MGSCOPE_MODULE_THREADS=<share>.
  const std::string threads_prefix = std::string(kModuleThreadsVariable) + "=";
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "MGSCOPE_PARENT_PID=", 19) != 0 &&
        std::strncmp(*e, threads_prefix.c_str(), threads_prefix.size()) != 0)
      env_s.emplace_back(*e);
  env_s.push_back("MGSCOPE_PARENT_PID=" + std::to_string(::getpid()));
  if (job.threads > 0) env_s.push_back(threads_prefix + std::to_string(job.threads));
  std::vector<char*> envp;
  for (std::string& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + exe.string() + ": " + std::strerror(rc));
  return pid;
}

}  // namespace

void run_module_jobs(std::vector<ModuleJob>& jobs, int threads, bool force,
                     const std::function<void(const ModuleJob&)>& on_done,
                     const std::function<void()>& before_clearing) {
  const fs::path exe = self_executable();
  const int parallel = std::max(1, threads);
  const int threads_each = module_threads_each(threads, jobs.size());
  bool cleared = false;
  std::map<pid_t, Running> running;
  std::size_t next = 0;
  // A run killed while a module ran left its log's temporary; the module may be up to date now
  // (no new log is written), so each job's are swept whether it runs or not.
  for (const ModuleJob& job : jobs) remove_stale_temporaries(job.log);
  auto finish = [&](ModuleJob& job) {
    if (!job.missing_inputs.empty()) {  // what exists was analysed; the missing files still fail the job
      job.status = "failed";
      job.error = job.missing_inputs + (job.error.empty() ? "" : "; " + job.error);
      if (job.exit_code == 0) job.exit_code = 1;
    }
    on_done(job);
  };

  while (next < jobs.size() || !running.empty()) {
    while (next < jobs.size() && int(running.size()) < parallel) {
      ModuleJob& job = jobs[next];
      const std::size_t index = next++;
      if (!job.precheck_error.empty()) {
        job.status = "failed";
        job.error = job.precheck_error;
        job.exit_code = 1;
        finish(job);
        continue;
      }
      nlohmann::json stamp = module_stamp(job);
      if (!force && up_to_date(job, stamp)) {
        job.status = "up-to-date";
        finish(job);
        continue;
      }
      // The module's folder belongs to this job: stale outputs of an earlier run must not survive.
      if (!cleared && before_clearing) before_clearing();
      cleared = true;
      job.threads = threads_each;
      // A sample run beside others (sample_batch.cpp) borrows the cores that samples done have
      // freed: the last sample's modules would run on its share alone.
      std::unique_ptr<CoreLoan> loan;
      if (threads_each > 0 && core_lender() != nullptr) {
        loan = std::make_unique<CoreLoan>(usable_cores() - threads_each);
        job.threads += loan->extra();
      }
      std::error_code cleared_ec;
      fs::remove_all(job.out_dir, cleared_ec);
      if (cleared_ec) fail_output(job.out_dir, "cannot empty the module's output folder", cleared_ec.value());
      create_output_folder(job.out_dir);
      create_output_folder(job.log.parent_path());
      const fs::path temp_log = temp_path_for(job.log);
      try {
        running[spawn(job, exe, temp_log)] = {index, temp_log, std::move(stamp), std::chrono::steady_clock::now(),
                                              std::move(loan)};
      } catch (const std::exception& e) {
        job.status = "failed";
        job.error = e.what();
        job.exit_code = 1;
        finish(job);
      }
    }
    if (running.empty()) continue;
    std::vector<pid_t> children;
    for (const auto& [pid, run] : running) children.push_back(pid);
    const EndedChild ended = wait_for_first_child(children);
    const int status = ended.status;
    auto it = running.find(ended.pid);
    ModuleJob& job = jobs[it->second.job];
    const nlohmann::json stamp = std::move(it->second.stamp);
    job.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second.started).count();
    std::error_code ec;  // a child that could not even open its log leaves none
    fs::rename(it->second.temp_log, job.log, ec);
    running.erase(it);
    job.outputs = list_outputs(job.out_dir);
    if (ended.lost) {
      job.status = "failed";
      job.exit_code = 1;
      job.error = "how the module ended is unknown: another wait in this process collected it (log: " +
                  job.log.string() + ")";
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      job.status = "ok";
      write_json_atomic(job.out_dir / kStampFile, {{"stamp", stamp},
                                                   {"outputs", job.outputs},
                                                   {"output_bytes", outputs_stamp(job.out_dir, job.outputs)}});
    } else {
      job.status = "failed";
      if (WIFSIGNALED(status)) {
        job.exit_code = 128 + WTERMSIG(status);
        job.error = std::string("crashed: ") + strsignal(WTERMSIG(status)) + " (log: " + job.log.string() + ")";
      } else {
        job.exit_code = WEXITSTATUS(status);
        job.error = with_manifest_key(failure_message(job.log), job.module);
        if (job.error.empty()) job.error = "exit code " + std::to_string(job.exit_code);
      }
    }
    finish(job);
  }
}

}  // namespace mgscope

// Runs analysis subcommands as child processes of the mgscope executable itself, so a module that
// fails or crashes cannot take the others down, and skips those whose stamp says they are current.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"

namespace mgscope {

struct ModuleJob {
  std::string module;                  // e.g. "hrtem"
  std::vector<std::string> args;       // after the program name: {"hrtem", files..., "-o", out_dir}
  std::vector<std::string> inputs;     // files whose size and time go into the stamp
  std::filesystem::path out_dir;       // OUTDIR/<module>, owned by the job (emptied before a run)
  std::filesystem::path log;           // OUTDIR/logs/<module>.log: the child's stdout and stderr
  std::string precheck_error;          // set: the job is not run and fails with this message
  std::string missing_inputs;          // set: the job runs on the inputs that exist, then fails with this

  // Filled by run_module_jobs.
  std::string status;                  // "ok", "failed" or "up-to-date"
  std::string error;                   // failed: why (the child's ERROR lines, or its signal)
  int exit_code = 0;
  std::vector<std::string> outputs;    // files under out_dir, relative, sorted
  std::string redo_reason;             // run although its stamp held: which output was damaged since
  double seconds = 0;                  // the module's own run time (wall), 0 when not run
  int threads = 0;                     // the cores the module was given (MGSCOPE_MODULE_THREADS), 0: all it has
};

// The stamp of a job: program version, the exact argument list and each input's path, size and
// modification time (ns). Written to out_dir/.mgscope-stamp.json after a successful run.
nlohmann::json module_stamp(const ModuleJob& job);
inline constexpr const char* kStampFile = ".mgscope-stamp.json";

// Runs the jobs; a job whose stamp is unchanged and whose outputs are all there as written
// (outputs_problem, run_stamp.hpp) is "up-to-date" unless `force`. `threads` 0: one module at a
// time, on every core it has; N: N threads in all, up to N modules at once sharing them
// (module_threads_each), each borrowing from this thread's core lender (a sample run beside others)
// the cores it has idle when the module starts. `on_done` is called (in this thread) after each
// job. `before_clearing`, when given, is called once before the first module's folder is emptied (a
// sample's report, which describes those folders, is removed there).
void run_module_jobs(std::vector<ModuleJob>& jobs, int threads, bool force,
                     const std::function<void(const ModuleJob&)>& on_done,
                     const std::function<void()>& before_clearing = {});

// The cores each module is given when `threads` (N >= 1) are shared by up to N modules at once
// among `jobs`: N / min(N, jobs), at least 1; 0 (no limit) when `threads` is 0. N modules each on
// every core had run N times the cores' threads (sample --threads 2 on 2 cores: 4 busy threads).
int module_threads_each(int threads, std::size_t jobs);
inline constexpr const char* kModuleThreadsVariable = "MGSCOPE_MODULE_THREADS";

// Called first in main(): in a module started by run_module_jobs (MGSCOPE_PARENT_PID in the
// environment), asks the kernel to end this process when its parent dies, so a killed `sample`
// leaves no orphaned module running; if the parent is already gone, exits at once (status 1).
// A module given MGSCOPE_MODULE_THREADS=K uses at most K cores (limit_usable_cores).
void die_with_parent_if_module();

// The path of the running executable (/proc/self/exe).
std::filesystem::path self_executable();

}  // namespace mgscope

// How `mgscope sample` runs its modules: the threads it shares among modules side by side, and
// its report while the modules' folders are emptied and refilled.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fitting/base/core_lending.hpp"
#include "pipelines/module_runner.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;
using test::shell_quoted;

constexpr const char* kRecordCores = "--record-module-cores=";

// run_module_jobs starts /proc/self/exe, here this test program: given the one argument
// "--record-module-cores=FILE", it is a module that writes the cores it may use (usable_cores, as
// every "all cores" loop of a module takes them) to FILE and exits before GoogleTest starts.
const bool kIsRecordingModule = [] {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string line{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::vector<std::string> args;
  for (std::size_t at = 0; at < line.size();) {
    const std::size_t end = line.find('\0', at);
    args.push_back(line.substr(at, end - at));
    at = end == std::string::npos ? line.size() : end + 1;
  }
  if (args.size() != 2 || args[1].rfind(kRecordCores, 0) != 0) return false;
  die_with_parent_if_module();  // as main() does first
  std::ofstream(args[1].substr(std::string(kRecordCores).size())) << usable_cores();
  std::_Exit(0);
}();

std::vector<ModuleJob> recording_jobs(const fs::path& dir, int count) {
  std::vector<ModuleJob> jobs;
  for (int k = 0; k < count; ++k) {
    ModuleJob job;
    job.module = "m" + std::to_string(k);
    job.out_dir = dir / job.module;
    job.log = dir / "logs" / (job.module + ".log");
    job.args = {kRecordCores + (dir / ("cores_" + job.module)).string()};
    jobs.push_back(job);
  }
  return jobs;
}

// `sample --threads 2` ran two modules at once, each on every core: four busy threads on this
// 2-core machine. The N threads are now shared by the modules side by side; the default (0) runs
// one module at a time on every core, as before.
TEST(ModuleThreads, ModulesSideBySideShareTheThreadsGiven) {
  EXPECT_EQ(module_threads_each(0, 3), 0);
  EXPECT_EQ(module_threads_each(2, 2), 1);
  EXPECT_EQ(module_threads_each(2, 5), 1);
  EXPECT_EQ(module_threads_each(4, 2), 2);
  EXPECT_EQ(module_threads_each(3, 2), 1);  // 2 modules at once, 1 thread each: never more than 3
  EXPECT_EQ(module_threads_each(8, 1), 8);
  if (usable_cores() < 2) GTEST_SKIP() << "one usable core: a module's share cannot be told from all cores";
  const fs::path dir = test::scratch_dir("module_threads");
  std::vector<ModuleJob> shared = recording_jobs(dir / "shared", 2);
  run_module_jobs(shared, 2, true, [](const ModuleJob&) {});
  for (const ModuleJob& job : shared) {
    EXPECT_EQ(job.status, "ok") << job.error;
    EXPECT_EQ(job.threads, 1);
    EXPECT_EQ(test::read_all(dir / "shared" / ("cores_" + job.module)), "1") << job.module;
  }
  std::vector<ModuleJob> alone = recording_jobs(dir / "alone", 2);
  run_module_jobs(alone, 0, true, [](const ModuleJob&) {});
  for (const ModuleJob& job : alone) {
    EXPECT_EQ(job.threads, 0);
    EXPECT_EQ(test::read_all(dir / "alone" / ("cores_" + job.module)), std::to_string(usable_cores())) << job.module;
  }
}

// A sample run beside others (sample_batch.cpp) holds the lender of its deal_work: a module started
// while the lender has idle cores (those of samples already done) borrows them on top of its share,
// and gives them back when it ends; with none idle it keeps its share.
TEST(ModuleThreads, AModuleBorrowsTheCoresItsLenderHoldsIdle) {
  if (usable_cores() < 2) GTEST_SKIP() << "one usable core: nothing to borrow";
  const fs::path dir = test::scratch_dir("module_borrow");
  for (int idle : {1, 0}) {
    CoreLender lender(idle);
    CoreLenderScope scope(&lender);
    const fs::path here = dir / ("idle_" + std::to_string(idle));
    std::vector<ModuleJob> jobs = recording_jobs(here, 2);
    run_module_jobs(jobs, 1, true, [&](const ModuleJob& job) {
      EXPECT_EQ(lender.any_idle(), idle > 0) << job.module << ": the loan is back once the module has ended";
    });
    for (const ModuleJob& job : jobs) {
      EXPECT_EQ(job.status, "ok") << job.error;
      EXPECT_EQ(job.threads, 1 + idle) << job.module;
      EXPECT_EQ(test::read_all(here / ("cores_" + job.module)), std::to_string(1 + idle)) << job.module;
    }
  }
}

// A child of this process that the runner did not start (a gnuplot figure's, on another thread):
// here one that has ended before the modules start. The runner's waitpid(-1) reaped it, so its own
// waitpid failed (ECHILD) and its exit status 7 was lost; the runner now waits for its modules alone.
TEST(ModuleJobs, WaitForTheirOwnChildrenAndLeaveAnotherThreadsChildToIt) {
  const fs::path dir = test::scratch_dir("module_own_children");
  char sh[] = "/bin/sh", dash_c[] = "-c", script[] = "exit 7";
  char* argv[] = {sh, dash_c, script, nullptr};
  pid_t other = 0;
  ASSERT_EQ(posix_spawn(&other, "/bin/sh", nullptr, nullptr, argv, environ), 0);
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, id_t(other), &info, WEXITED | WNOWAIT), 0);  // ended, not reaped
  std::vector<ModuleJob> jobs = recording_jobs(dir, 2);
  run_module_jobs(jobs, 1, true, [](const ModuleJob&) {});
  for (const ModuleJob& job : jobs) EXPECT_EQ(job.status, "ok") << job.module << ": " << job.error;
  int status = 0;
  ASSERT_EQ(waitpid(other, &status, WNOHANG), other) << "the runner reaped a child it had not started";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 7);
}

// A module's end collected by some other wait of this process (here the test's own waitpid(-1),
// while the first module is reported) cannot be known: that module fails and says so. The runner
// had stopped at the failed wait and left the module without any status, the jobs after it unrun.
TEST(ModuleJobs, AModuleWhoseEndAnotherWaitCollectedFailsAndSaysSo) {
  const fs::path dir = test::scratch_dir("module_lost_child");
  std::vector<ModuleJob> jobs = recording_jobs(dir, 3);
  bool stolen = false;
  run_module_jobs(jobs, 2, true, [&](const ModuleJob&) {
    if (stolen) return;
    stolen = true;
    int status = 0;
    EXPECT_GT(waitpid(-1, &status, 0), 0);  // the other module started beside the first
  });
  int ok = 0, lost = 0;
  for (const ModuleJob& job : jobs) {
    if (job.status == "ok") ++ok;
    if (job.status == "failed" && job.error.find("another wait in this process collected it") != std::string::npos) {
      ++lost;
      EXPECT_EQ(job.exit_code, 1);
    }
  }
  EXPECT_EQ(ok, 2);
  EXPECT_EQ(lost, 1);
}

// A `sample --force` killed while a module ran left the previous report.json and report.html
// beside the module folder it had emptied, until the next run ended. The old report is removed
// before the first module's folder is emptied, so a killed run leaves no report that contradicts
// the folders; the next run writes it again.
TEST(SampleReport, AKilledRunLeavesNoReportOfTheFoldersItEmptied) {
  const fs::path dir = test::scratch_dir("sample_killed_report");
  ASSERT_EQ(test::run_mgscope("synth hrtem -o " + shell_quoted(dir / "raw") + " --name big --width 2048 --height 2048")
                .exit_code,
            0);
  test::write_text(dir / "sample.toml", "name = \"killed\"\n[hrtem]\nfiles = [\"raw/big.tif\"]\n");
  const std::string run = std::string("'") + MGSCOPE_EXE + "' sample " + shell_quoted(dir / "sample.toml") + " -o " +
                          shell_quoted(dir / "out");
  const auto first = test::run_command(run);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_TRUE(fs::exists(dir / "out" / "report.json"));
  // Killed (SIGKILL: nothing of it runs after) once the module's log has appeared, at most 30 s on.
  const auto killed = test::run_command("cd " + shell_quoted(dir) + " && " + run +
                                        " --force >/dev/null 2>&1 & pid=$!; n=0; "
                                        "while ! ls " +
                                        shell_quoted(dir / "out" / "logs") +
                                        " | grep -q 'hrtem.log.tmp-' && "
                                        "[ $n -lt 3000 ]; do sleep 0.01; n=$((n+1)); done; kill -KILL $pid; wait $pid");
  ASSERT_FALSE(fs::exists(dir / "out" / "hrtem" / "big" / "summary.json")) << "the run ended before it was killed\n"
                                                                     << killed.output;
  EXPECT_FALSE(fs::exists(dir / "out" / "report.json"));
  EXPECT_FALSE(fs::exists(dir / "out" / "report.html"));
  const auto again = test::run_command(run);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(fs::exists(dir / "out" / "report.json"));
  EXPECT_TRUE(fs::exists(dir / "out" / "hrtem" / "big" / "summary.json"));
}

// The same for a study: a `study --force` killed while a sample's module ran left the old study.html
// linking that sample's report.html, which the sample had removed. The study page goes first now.
TEST(SampleReport, AKilledStudyLeavesNoStudyPageOfTheSamplesItRedid) {
  const fs::path dir = test::scratch_dir("study_killed_page");
  ASSERT_EQ(test::run_mgscope("synth hrtem -o " + shell_quoted(dir / "raw") + " --name big --width 2048 --height 2048")
                .exit_code,
            0);
  test::write_text(dir / "s" / "sample.toml",
                   "name = \"killed\"\n[treatment]\nctc_cycles = 0\n"
                   "[hrtem]\nfiles = [\"../raw/big.tif\"]\n");
  test::write_text(dir / "study.toml",
                   "name = \"killed\"\ntreatment = \"ctc_cycles\"\nsamples = [\"s/sample.toml\"]\n");
  const std::string run = std::string("'") + MGSCOPE_EXE + "' study " + shell_quoted(dir / "study.toml") + " -o " +
                          shell_quoted(dir / "out");
  const auto first = test::run_command(run);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_TRUE(fs::exists(dir / "out" / "study.html"));
  const fs::path logs = dir / "out" / "samples" / "s" / "logs";
  const auto killed = test::run_command("cd " + shell_quoted(dir) + " && " + run +
                                        " --force >/dev/null 2>&1 & pid=$!; n=0; "
                                        "while ! ls " +
                                        shell_quoted(logs) +
                                        " | grep -q 'hrtem.log.tmp-' && "
                                        "[ $n -lt 3000 ]; do sleep 0.01; n=$((n+1)); done; kill -KILL $pid; wait $pid");
  ASSERT_FALSE(fs::exists(dir / "out" / "samples" / "s" / "report.html")) << killed.output;
  EXPECT_FALSE(fs::exists(dir / "out" / "study.html"));
  EXPECT_FALSE(fs::exists(dir / "out" / "study.json"));
  const auto again = test::run_command(run);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_TRUE(fs::exists(dir / "out" / "study.html"));
}

}  // namespace
}  // namespace mgscope

// `srun -n 2 mgscope hrtem ...` where srun starts no MPI job (--mpi=none, a site's MpiDefault=none)
// ran the whole command in each task, into one output folder, without a word: task 0 now warns.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/test_support.hpp"

namespace mgscope {
namespace {

TEST(SrunTasks, TasksOfAStepWithoutMpiAreWarnedAboutByTaskZero) {
  const std::filesystem::path out = test::scratch_dir("srun_tasks");
  const std::string image = test::shell_quoted(std::string(MGSCOPE_SOURCE_DIR) + "/samples/hrtem/ascast_1.tif");
  const std::string warning = "WARNING: started by srun as one of 2 tasks, but not as an MPI job";
  const auto task0 = test::run_command("SLURM_STEP_NUM_TASKS=2 SLURM_PROCID=0 '" + std::string(MGSCOPE_EXE) +
                                       "' hrtem " + image + " -o " + test::shell_quoted(out / "a"));
  EXPECT_EQ(task0.exit_code, 0) << task0.output;
  EXPECT_NE(task0.output.find(warning), std::string::npos) << task0.output;
  // Task 1 says nothing (the warning once per step), nor does a step of one task or no srun at all.
  for (const std::string& env :
       {"SLURM_STEP_NUM_TASKS=2 SLURM_PROCID=1", "SLURM_STEP_NUM_TASKS=1 SLURM_PROCID=0", ""}) {
    const auto r =
        test::run_command("env -u SLURM_STEP_NUM_TASKS -u SLURM_PROCID " + env + " '" + std::string(MGSCOPE_EXE) +
                          "' hrtem " + image + " -o " + test::shell_quoted(out / "a"));
    EXPECT_EQ(r.exit_code, 0) << env << "\n" << r.output;
    EXPECT_EQ(r.output.find("WARNING: started by srun"), std::string::npos) << env << "\n" << r.output;
  }
}

}  // namespace
}  // namespace mgscope

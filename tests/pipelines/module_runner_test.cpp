// How `mgscope sample` runs its modules: its report while the modules' folders are emptied and
// refilled.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/test_support.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;
using test::quoted;

// A `sample --force` killed while a module ran left the previous report.json and report.html
// beside the module folder it had emptied, until the next run ended. The old report is removed
// before the first module's folder is emptied, so a killed run leaves no report that contradicts
// the folders; the next run writes it again.
TEST(SampleReport, AKilledRunLeavesNoReportOfTheFoldersItEmptied) {
  const fs::path dir = test::scratch_dir("sample_killed_report");
  ASSERT_EQ(test::run_mgscope("synth hrtem -o " + quoted(dir / "raw") + " --name big --width 2048 --height 2048")
                .exit_code,
            0);
  test::write_text(dir / "sample.toml", "name = \"killed\"\n[hrtem]\nfiles = [\"raw/big.tif\"]\n");
  const std::string run = std::string("'") + MGSCOPE_EXE + "' sample " + quoted(dir / "sample.toml") + " -o " +
                          quoted(dir / "out");
  const auto first = test::run_command(run);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_TRUE(fs::exists(dir / "out" / "report.json"));
  // Killed (SIGKILL: nothing of it runs after) once the module's log has appeared, at most 30 s on.
  const auto killed = test::run_command("cd " + quoted(dir) + " && " + run + " --force >/dev/null 2>&1 & pid=$!; n=0; "
                                        "while ! ls " + quoted(dir / "out" / "logs") + " | grep -q 'hrtem.log.tmp-' && "
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

}  // namespace
}  // namespace mgscope

// A command run again into its -o folder leaves that run's outputs there, not the earlier run's
// as well (pipelines/output_record.hpp); nothing but the command's own recorded outputs is removed.
#include "pipelines/output_record.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/output_guard.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;

std::set<std::string> regular_files(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.insert(fs::relative(e.path(), dir).generic_string());
  return out;
}

void run_writing(const fs::path& dir, const std::string& command, const std::vector<std::string>& names,
                 std::vector<std::string>* removed = nullptr) {
  OutputRecord record(dir, command);
  for (const std::string& n : names) write_file_atomic(dir / n, n);
  const std::vector<std::string> r = record.commit();
  if (removed) *removed = r;
}

TEST(OutputRecord, ASecondRunRemovesTheFirstRunsOutputsItDoesNotWriteAndNothingElse) {
  const fs::path dir = test::scratch_dir("record_second_run");
  test::write_text(dir / "notes.txt", "the user's own file");
  run_writing(dir, "hardness", {"summary.json", "map.png", "figs/load_1.png", "figs/load_2.png"});
  run_writing(dir, "creep", {"creep.csv", "summary.json"});  // another command's outputs in the same folder
  std::vector<std::string> removed;
  run_writing(dir, "hardness", {"summary.json", "figs/load_1.png"}, &removed);
  EXPECT_EQ(removed, (std::vector<std::string>{"figs/load_2.png", "map.png"}));
  EXPECT_EQ(regular_files(dir), (std::set<std::string>{".mgscope-outputs-creep.json", ".mgscope-outputs-hardness.json",
                                                       "creep.csv", "figs/load_1.png", "notes.txt", "summary.json"}));
  // A run that writes nothing leaves nothing of the earlier run, and a folder it emptied goes too.
  run_writing(dir, "hardness", {}, &removed);
  EXPECT_EQ(removed, (std::vector<std::string>{"figs/load_1.png", "summary.json"}));
  EXPECT_FALSE(fs::exists(dir / "figs"));
  EXPECT_TRUE(fs::exists(dir / "creep.csv"));
  EXPECT_TRUE(fs::exists(dir / "notes.txt"));
}

// A study records its own files, not its samples' (whose folders stay when a sample is taken out).
TEST(OutputRecord, TopLevelOnlyLeavesTheSubfoldersOutOfTheRecord) {
  const fs::path dir = test::scratch_dir("record_top_level");
  {
    OutputRecord record(dir, "study", /*top_level_only=*/true);
    write_file_atomic(dir / "study_Tc.png", "x");
    write_file_atomic(dir / "samples" / "a" / "report.html", "x");
    record.commit();
  }
  std::vector<std::string> removed;
  {
    OutputRecord record(dir, "study", /*top_level_only=*/true);
    write_file_atomic(dir / "study.csv", "x");
    removed = record.commit();
  }
  EXPECT_EQ(removed, (std::vector<std::string>{"study_Tc.png"}));
  EXPECT_TRUE(fs::exists(dir / "samples" / "a" / "report.html"));
}

TEST(OutputRecord, ARunStoppedByAnErrorRecordsBothRunsOutputsForTheNextToRemove) {
  const fs::path dir = test::scratch_dir("record_failed_run");
  run_writing(dir, "dsc", {"a_dsc.png", "dsc.csv"});
  try {
    OutputRecord record(dir, "dsc");
    write_file_atomic(dir / "b_dsc.png", "b");
    throw OutputError("disk full");
  } catch (const OutputError&) {
  }
  std::vector<std::string> removed;
  run_writing(dir, "dsc", {"dsc.csv"}, &removed);
  EXPECT_EQ(removed, (std::vector<std::string>{"a_dsc.png", "b_dsc.png"}));
}

// A record is a file anyone can edit: names outside the folder, bookkeeping, temporaries, folders
// and this run's inputs are never removed, whatever it says.
TEST(OutputRecord, NothingOutsideTheFolderNoFolderAndNoInputIsEverRemoved) {
  const fs::path root = test::scratch_dir("record_never");
  const fs::path dir = root / "out";
  test::write_text(root / "outside.txt", "x");
  test::write_text(dir / "sub" / "kept.txt", "x");
  test::write_text(dir / "input.csv", "x");
  test::write_text(dir / "a.png.tmp-1-1-00000000", "x");
  test::write_text(dir / "old.png", "x");
  test::write_text(dir / output_record_name("creep"),
                   R"({"schema": "mgscope-outputs/1", "command": "creep", "outputs": ["../outside.txt", ")" +
                       (root / "outside.txt").string() +
                       R"(", "sub", "input.csv", "a.png.tmp-1-1-00000000", "./old.png", "sub/../old.png",
                       ".mgscope-outputs-hardness.json", "old.png", 7]})");
  note_input((dir / "input.csv").string());
  std::vector<std::string> removed;
  run_writing(dir, "creep", {"creep.csv"}, &removed);
  EXPECT_EQ(removed, (std::vector<std::string>{"old.png"}));
  for (const fs::path& kept :
       {root / "outside.txt", dir / "sub" / "kept.txt", dir / "input.csv", dir / "a.png.tmp-1-1-00000000"})
    EXPECT_TRUE(fs::exists(kept)) << kept;
}

TEST(OutputRecord, AnUnreadableRecordOrAnotherCommandsRemovesNothing) {
  const fs::path dir = test::scratch_dir("record_unreadable");
  test::write_text(dir / "a.png", "x");
  test::write_text(dir / output_record_name("mce"), R"({"schema": "mgscope-outputs/1", "command": "mce", "outp)");
  std::vector<std::string> removed;
  run_writing(dir, "mce", {"mce.json"}, &removed);
  EXPECT_TRUE(removed.empty());
  test::write_text(dir / output_record_name("mce"),
                   R"({"schema": "mgscope-outputs/1", "command": "powerlaw", "outputs": ["a.png"]})");
  run_writing(dir, "mce", {"mce.json"}, &removed);
  EXPECT_TRUE(removed.empty());
  test::write_text(dir / output_record_name("mce"), R"({"schema": 5, "command": ["mce"], "outputs": ["a.png"]})");
  run_writing(dir, "mce", {"mce.json"}, &removed);
  EXPECT_TRUE(removed.empty());
  EXPECT_TRUE(fs::exists(dir / "a.png"));
  EXPECT_EQ(output_record_name("synth indent"), ".mgscope-outputs-synth-indent.json");
}

// As a user meets it: a generated grid made smaller, then analysed with figures and without.
TEST(OutputRecord, CommandsRunAgainKeepOnlyTheirNewOutputs) {
  const fs::path dir = test::scratch_dir("record_commands");
  const std::string grid = (dir / "grid").string(), out = (dir / "out").string();
  ASSERT_EQ(test::run_mgscope("synth indent --grid 3 -o '" + grid + "'").exit_code, 0);
  const test::RunResult smaller = test::run_mgscope("synth indent --grid 2 -o '" + grid + "'");
  ASSERT_EQ(smaller.exit_code, 0) << smaller.output;
  EXPECT_NE(smaller.output.find("NOTE: " + grid + ": removed 5 outputs of the previous `synth indent` run"),
            std::string::npos)
      << smaller.output;
  int curves = 0;
  for (const auto& e : fs::directory_iterator(grid)) curves += e.path().filename().string().rfind("indent_", 0) == 0;
  EXPECT_EQ(curves, 4);

  const std::string curves_glob = " '" + grid + "'/indent_*.csv";  // the shell expands it, as a user's would
  const test::RunResult drawn = test::run_mgscope("hardness" + curves_glob + " --figures 2 -o '" + out + "'");
  ASSERT_EQ(drawn.exit_code, 0) << drawn.output;
  EXPECT_NE(drawn.output.find("4 of 4 indents analysed"), std::string::npos) << drawn.output;
  ASSERT_TRUE(fs::exists(dir / "out" / "load_depth_2.png"));
  const test::RunResult fewer = test::run_mgscope("hardness" + curves_glob + " --figures 0 -o '" + out + "'");
  ASSERT_EQ(fewer.exit_code, 0) << fewer.output;
  for (const char* gone : {"load_depth_1.png", "load_depth_2.png", "load_depth_2.dat"})
    EXPECT_FALSE(fs::exists(dir / "out" / gone)) << gone;
  EXPECT_TRUE(fs::exists(dir / "out" / "hardness_cdf.png"));
  EXPECT_NE(fewer.output.find("removed 14 outputs of the previous `hardness` run"), std::string::npos) << fewer.output;
}

}  // namespace
}  // namespace mgscope

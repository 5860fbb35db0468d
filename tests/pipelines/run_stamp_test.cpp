// What decides that an earlier result is up to date (run_stamp.hpp): a file's size and time, and
// for a folder (an in-situ series given as a folder of frames) those of every file in it.
#include "pipelines/run_stamp.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "fitting/base/json.hpp"

#include "imaging/figures.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

namespace fs = std::filesystem;

// A frame overwritten in place leaves the folder's own size and time as they were: its stamp
// stayed the same, and `sample` called the series "up to date" after a frame was re-exported.
TEST(RunStamp, AFolderStampFollowsTheFilesInIt) {
  const fs::path dir = test::scratch_dir("run_stamp_folder");
  const fs::path frames = dir / "frames";
  fs::create_directories(frames);
  std::ofstream(frames / "f0.tif") << "aaaa";
  std::ofstream(frames / "f1.tif") << "bbbb";
  const auto before = files_stamp({frames.string()});
  EXPECT_EQ(files_stamp({frames.string()}), before) << "the same folder, the same stamp";
  const auto folder_time = fs::last_write_time(frames);
  std::ofstream(frames / "f1.tif") << "cccc";  // same size, new contents
  fs::last_write_time(frames / "f1.tif", fs::last_write_time(frames / "f0.tif") + std::chrono::seconds(5));
  ASSERT_EQ(fs::last_write_time(frames), folder_time) << "overwriting a file leaves the folder's time";
  const auto after = files_stamp({frames.string()});
  EXPECT_NE(after, before);
  EXPECT_EQ(after[0].at("mtime_ns"), before[0].at("mtime_ns"));
  EXPECT_NE(after[0].at("contents_fnv1a"), before[0].at("contents_fnv1a"));
  // A plain file's stamp has no contents hash: its own size and time say it.
  EXPECT_FALSE(files_stamp({(frames / "f0.tif").string()})[0].contains("contents_fnv1a"));
  fs::remove_all(dir);
}


// The program is its build, not its file: a byte-identical copy of mgscope with another time (a copy
// on a node's local disk, `cp` without -p) made records of "another mgscope", so --gather refused
// the shards it ran and a re-run by it redid everything. Shards run by the copy and by the original
// now gather into the bytes of one run.
TEST(RunStamp, ACopyOfTheProgramIsTheSameProgram) {
  const fs::path dir = test::scratch_dir("run_stamp_copy");
  EXPECT_EQ(program_stamp().value("build_id", std::string()).size(), 40u) << program_stamp().dump();
  const fs::path copy = dir / "mgscope";
  fs::copy_file(MGSCOPE_EXE, copy);
  fs::last_write_time(copy, fs::last_write_time(MGSCOPE_EXE) + std::chrono::hours(1));
  const std::string images = test::shell_quoted(std::string(MGSCOPE_SOURCE_DIR) + "/samples/hrtem/ascast_1.tif") + " " +
                             test::shell_quoted(std::string(MGSCOPE_SOURCE_DIR) + "/samples/hrtem/ascast_2.tif");
  const std::string out = test::shell_quoted(dir / "out"), one = test::shell_quoted(dir / "one");
  ASSERT_EQ(test::run_mgscope("hrtem " + images + " -o " + one).exit_code, 0);
  const auto shard1 = test::run_command(test::shell_quoted(copy) + " hrtem " + images + " -o " + out + " --shard 1/2");
  ASSERT_EQ(shard1.exit_code, 0) << shard1.output;
  ASSERT_EQ(test::run_mgscope("hrtem " + images + " -o " + out + " --shard 2/2").exit_code, 0);
  const auto gather = test::run_mgscope("hrtem " + images + " -o " + out + " --gather");
  EXPECT_EQ(gather.exit_code, 0) << gather.output;
  EXPECT_EQ(test::read_all(dir / "out" / "combined.csv"), test::read_all(dir / "one" / "combined.csv"));
  // A re-run by the copy finds everything up to date.
  const auto again = test::run_command(test::shell_quoted(copy) + " hrtem " + images + " -o " + out);
  EXPECT_NE(again.output.find("NOTE: 2 image(s) up to date"), std::string::npos) << again.output;
}

// An up-to-date check that trusted the names of the outputs kept a truncated or corrupted
// summary.json until --force: each output's size is kept, and a .json output must parse.
TEST(RunStamp, OutputsProblemFindsAMissingTruncatedOrUnparsableOutput) {
  const fs::path dir = test::scratch_dir("run_stamp_outputs");
  test::write_text(dir / "summary.json", "{\"ordered_fraction\": 0.25}\n");
  test::write_text(dir / "tiles.csv", "x,y\n1,2\n");
  const nlohmann::json stamp = outputs_stamp(dir, {"summary.json", "tiles.csv"});
  EXPECT_EQ(stamp.at("summary.json"), 27);
  EXPECT_EQ(outputs_problem(dir, stamp), "");
  test::write_text(dir / "summary.json", "{\"ordered_fraction\": 0.");  // cut short
  EXPECT_EQ(outputs_problem(dir, stamp), (dir / "summary.json").string() + " has 23 bytes, written with 27");
  test::write_text(dir / "summary.json", "{\"ordered_fraction\": 0.2#}\n");  // same size, one byte garbled
  EXPECT_EQ(outputs_problem(dir, stamp), (dir / "summary.json").string() + " does not parse as JSON");
  fs::remove(dir / "summary.json");
  EXPECT_EQ(outputs_problem(dir, stamp), (dir / "summary.json").string() + " is missing");
  // A record of another form (names only, as before the sizes) is not trusted either.
  EXPECT_NE(outputs_problem(dir, nlohmann::json::array({"tiles.csv"})), "");
}

// A module loaded at run time (the figures, EMD and zip modules) changes outputs as the
// executable does: a rebuild of the module alone must make earlier outputs out of date.
TEST(RunStamp, ProgramStampFollowsTheModulesItWouldLoad) {
  const fs::path dir = test::scratch_dir("run_stamp_modules");
  test::write_text(dir / "libmgscope_figures.so", "one build");
  ASSERT_EQ(setenv("MGSCOPE_FIGURES_MODULE", (dir / "libmgscope_figures.so").c_str(), 1), 0);
  const nlohmann::json before = program_stamp();
  EXPECT_EQ(before.at("modules").at("figures").at("size_bytes"), 9);
  EXPECT_EQ(program_stamp(), before) << "nothing changed, the same stamp";
  test::write_text(dir / "libmgscope_figures.so", "another build");
  EXPECT_NE(program_stamp(), before);
  ASSERT_EQ(setenv("MGSCOPE_FIGURES_MODULE", (dir / "missing.so").c_str(), 1), 0);
  EXPECT_TRUE(program_stamp().at("modules").at("figures").is_null());
  // A real module is known by its build ID, so a copy of it with another time is the same module
  // (as a copy of the executable is the same program).
  unsetenv("MGSCOPE_FIGURES_MODULE");
  std::string real;
  for (const std::string& c : figures_module_candidates())
    if (real.empty() && fs::exists(c)) real = c;
  ASSERT_FALSE(real.empty());
  fs::copy_file(real, dir / "copy.so");
  fs::last_write_time(dir / "copy.so", fs::last_write_time(real) + std::chrono::hours(1));
  ASSERT_EQ(setenv("MGSCOPE_FIGURES_MODULE", real.c_str(), 1), 0);
  const nlohmann::json original = program_stamp().at("modules").at("figures");
  EXPECT_EQ(original.value("build_id", std::string()).size(), 40u) << original.dump();
  ASSERT_EQ(setenv("MGSCOPE_FIGURES_MODULE", (dir / "copy.so").c_str(), 1), 0);
  EXPECT_EQ(program_stamp().at("modules").at("figures"), original);
  unsetenv("MGSCOPE_FIGURES_MODULE");
}

}  // namespace
}  // namespace mgscope

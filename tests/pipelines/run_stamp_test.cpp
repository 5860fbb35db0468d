// What decides that an earlier result is up to date (run_stamp.hpp): a file's size and time, and
// for a folder (an in-situ series given as a folder of frames) those of every file in it.
#include "pipelines/run_stamp.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

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
  const std::string images = test::quoted(std::string(MGSCOPE_SOURCE_DIR) + "/samples/hrtem/ascast_1.tif") + " " +
                             test::quoted(std::string(MGSCOPE_SOURCE_DIR) + "/samples/hrtem/ascast_2.tif");
  const std::string out = test::quoted(dir / "out"), one = test::quoted(dir / "one");
  ASSERT_EQ(test::run_mgscope("hrtem " + images + " -o " + one).exit_code, 0);
  const auto shard1 = test::run_command(test::quoted(copy) + " hrtem " + images + " -o " + out + " --shard 1/2");
  ASSERT_EQ(shard1.exit_code, 0) << shard1.output;
  ASSERT_EQ(test::run_mgscope("hrtem " + images + " -o " + out + " --shard 2/2").exit_code, 0);
  const auto gather = test::run_mgscope("hrtem " + images + " -o " + out + " --gather");
  EXPECT_EQ(gather.exit_code, 0) << gather.output;
  EXPECT_EQ(test::read_all(dir / "out" / "combined.csv"), test::read_all(dir / "one" / "combined.csv"));
  // A re-run by the copy finds everything up to date.
  const auto again = test::run_command(test::quoted(copy) + " hrtem " + images + " -o " + out);
  EXPECT_NE(again.output.find("NOTE: 2 image(s) up to date"), std::string::npos) << again.output;
}

}  // namespace
}  // namespace mgscope

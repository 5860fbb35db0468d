// What decides that an earlier result is up to date (run_stamp.hpp): a file's size and time, and
// for a folder (an in-situ series given as a folder of frames) those of every file in it.
#include "pipelines/run_stamp.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace mgscope

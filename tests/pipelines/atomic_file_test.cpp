#include "pipelines/atomic_file.hpp"
#include "pipelines/output_folder.hpp"
#include "pipelines/output_guard.hpp"

#include <chrono>
#include <fstream>

#include <gtest/gtest.h>

#include "imaging/io/tiff_writer.hpp"
#include "tests/test_support.hpp"

namespace mgscope {

TEST(AtomicFile, WritesAndLeavesNoTemporary) {
  const auto dir = test::scratch_dir("atomic");
  write_file_atomic(dir / "sub" / "a.txt", "hello");
  EXPECT_EQ(test::read_all(dir / "sub" / "a.txt"), "hello");
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(dir / "sub")) n += e.is_regular_file();
  EXPECT_EQ(n, 1);
}

TEST(AtomicFile, UncommittedOutputLeavesNothing) {
  const auto dir = test::scratch_dir("atomic2");
  {
    AtomicOutput out(dir / "b.txt");
    out.stream() << "partial";
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "b.txt"));
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}


// A name near the 255-byte limit (an input's stem of 250 bytes, in Greek: two bytes a letter) has
// outputs like any other: its temporary name is cut, not the output's, and a killed run's
// temporary of that name is found and removed. Before, every output of such an input failed.
TEST(AtomicFile, NamesNearTheLengthLimitAreWrittenAndTheirTemporariesSwept) {
  namespace fs = std::filesystem;
  const auto dir = test::scratch_dir("atomic_long");
  std::string name;
  while (name.size() < 250) name += "\u03b1";  // alpha, 2 bytes
  write_file_atomic(dir / name, "hello");
  EXPECT_EQ(test::read_all(dir / name), "hello");
  {
    OutputFolder folder(dir / (name + "_d"));  // 252 bytes
    folder.write("summary.json", "{}");
    folder.commit();
  }
  EXPECT_EQ(test::read_all(dir / (name + "_d") / "summary.json"), "{}");
  const fs::path temp = temp_path_for(dir / name);
  EXPECT_LE(temp.filename().string().size(), 255u);
  EXPECT_EQ(temp.filename().string().rfind(temp_name_prefix(dir / name), 0), 0u);
  const fs::path stale = dir / (temp_name_prefix(dir / name) + "999999999-0");  // no such process
  fs::create_directories(stale);
  remove_stale_temporaries(dir / name);
  EXPECT_FALSE(fs::exists(stale));
  int entries = 0;
  for (auto& e : fs::directory_iterator(dir)) entries += bool(e.path().filename().string().size());
  EXPECT_EQ(entries, 2);  // the file and the folder, no temporary
}

// A map TIFF that cannot be written was named by the temporary folder (`out/b.tmp-PID-N/map_class.tif`),
// where the user will never look; it is named as the file in the output folder, as every other output.
TEST(AtomicFile, AFailedTiffIsNamedInTheOutputFolderNotItsTemporary) {
  const auto dir = test::scratch_dir("folder_tiff_name");
  OutputFolder folder(dir / "im");
  std::filesystem::create_directories(folder.temp() / "map_class.tif");  // a folder where the file goes
  RawImage raw;
  raw.width = raw.height = 2;
  raw.type = PixelType::f32;
  raw.bytes.resize(16);
  std::string message;
  try {
    folder.write_with("map_class.tif", [&](const std::filesystem::path& p) { write_tiff(p.string(), raw, {}); });
  } catch (const OutputError& e) {
    message = e.what();
  }
  EXPECT_EQ(message.rfind((dir / "im" / "map_class.tif").string() + ": cannot write TIFF", 0), 0u) << message;
}
}  // namespace mgscope

#include <sys/wait.h>
#include <unistd.h>

#include "pipelines/output_guard.hpp"

namespace mgscope {

// A temporary left by a process that was killed but not yet reaped (a zombie: an MPI rank killed
// with its node, before mpirun collects it) is stale; one of a running process is not.
TEST(StaleTemporaries, ZombieWritersCountAsGoneLiveOnesDoNot) {
  namespace fs = std::filesystem;
  const fs::path dir = test::scratch_dir("stale_zombie");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) _exit(0);  // ends at once; not reaped until waitpid below: a zombie meanwhile
  usleep(100000);
  fs::create_directories(dir / ("im3.tmp-" + std::to_string(child) + "-0"));
  fs::create_directories(dir / ("im3.tmp-" + std::to_string(getpid()) + "-0"));
  remove_stale_temporaries(dir / "im3");
  EXPECT_FALSE(fs::exists(dir / ("im3.tmp-" + std::to_string(child) + "-0")));
  EXPECT_TRUE(fs::exists(dir / ("im3.tmp-" + std::to_string(getpid()) + "-0")));
  int status = 0;
  waitpid(child, &status, 0);
}

// Nodes of a cluster share an output folder, and a PID means something only on the node that ran it:
// a temporary of another node's live writer, whose PID is no process here, was removed under it.
// Temporaries now carry their node (host_tag()); another node's is removed only when untouched
// for a day, this node's and the old untagged ones when their PID is gone.
TEST(StaleTemporaries, AnotherNodesTemporaryIsKeptUntilUntouchedForADay) {
  namespace fs = std::filesystem;
  const fs::path dir = test::scratch_dir("stale_other_node");
  const std::string ours = host_tag();
  ASSERT_EQ(ours.size(), 8u);
  const std::string name = temp_path_for(dir / "im3").filename().string();
  EXPECT_EQ(name.substr(name.size() - 9), "-" + ours) << name;
  std::string other = ours;
  other[0] = other[0] == '0' ? '1' : '0';
  const std::string dead = "999999999";  // no such process here
  const fs::path live_elsewhere = dir / ("im3.tmp-" + dead + "-0-" + other);
  const fs::path dead_here = dir / ("im3.tmp-" + dead + "-1-" + ours);
  const fs::path untagged = dir / ("im3.tmp-" + dead + "-2");
  const fs::path killed_elsewhere = dir / ("im3.tmp-" + dead + "-3-" + other);
  const fs::path old_folder_new_file = dir / ("im3.tmp-" + dead + "-4-" + other);
  const fs::path not_ours = dir / ("im3.tmp-" + dead + "-5-" + other + "x");
  for (const fs::path& p : {live_elsewhere, dead_here, untagged, killed_elsewhere, old_folder_new_file, not_ours})
    fs::create_directories(p);
  std::ofstream(killed_elsewhere / "overlay.png") << "half";
  std::ofstream(old_folder_new_file / "overlay.png") << "being written";
  const auto day_ago = fs::file_time_type::clock::now() - std::chrono::hours(25);
  fs::last_write_time(killed_elsewhere / "overlay.png", day_ago);
  fs::last_write_time(killed_elsewhere, day_ago);
  fs::last_write_time(old_folder_new_file, day_ago);
  remove_stale_temporaries(dir / "im3");
  EXPECT_TRUE(fs::exists(live_elsewhere));
  EXPECT_FALSE(fs::exists(dead_here));
  EXPECT_FALSE(fs::exists(untagged));
  EXPECT_FALSE(fs::exists(killed_elsewhere));
  EXPECT_TRUE(fs::exists(old_folder_new_file));  // its writer wrote a file within the day
  EXPECT_TRUE(fs::exists(not_ours));
}

}  // namespace mgscope

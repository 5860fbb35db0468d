#include "pipelines/atomic_file.hpp"

#include <gtest/gtest.h>

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

}  // namespace mgscope

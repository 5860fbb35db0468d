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

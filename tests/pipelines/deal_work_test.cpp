// deal_work in a team of one with items on threads (at_once > 1): an exception of an item's work or
// of the leader's on_result (an output that cannot be written) comes out of deal_work, after the
// threads are joined. Thrown past joinable threads, it had ended the program (std::terminate).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pipelines/work_team.hpp"

namespace {

std::vector<std::size_t> items(std::size_t n) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  return order;
}

TEST(DealWork, AFailedResultStopsTheDealingAndIsThrownAfterTheThreadsEnd) {
  std::atomic<int> worked{0}, handed{0};
  try {
    mgscope::deal_work(
        items(40),
        [&](std::size_t i) {
          // The items after the first four wait for the failed result (and take a little time), so
          // that the dealing has items left to stop.
          while (i >= 4 && handed < 3) std::this_thread::yield();
          if (i >= 4) std::this_thread::sleep_for(std::chrono::milliseconds(2));
          ++worked;
          return std::to_string(i);
        },
        [&](std::size_t, std::string) {
          if (++handed == 3) throw std::runtime_error("out/combined.csv: No space left on device");
        },
        2);
    ADD_FAILURE() << "deal_work returned";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "out/combined.csv: No space left on device");
  }
  EXPECT_EQ(handed, 3);
  EXPECT_LT(worked.load(), 40);  // the dealing stopped: the threads finished what they held
}

TEST(DealWork, AnItemsExceptionIsThrownByDealWorkNotOnItsThread) {
  std::vector<std::size_t> results;
  try {
    mgscope::deal_work(
        items(6),
        [](std::size_t i) -> std::string {
          if (i == 2) throw std::runtime_error("item 2 failed");
          return std::to_string(i);
        },
        [&](std::size_t i, std::string) { results.push_back(i); }, 3);
    ADD_FAILURE() << "deal_work returned";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "item 2 failed");
  }
  for (std::size_t i : results) EXPECT_NE(i, 2u);
}

TEST(DealWork, EveryItemIsHandedOnOnceWhenNothingFails) {
  std::vector<int> seen(25, 0);
  mgscope::deal_work(items(25), [](std::size_t i) { return std::to_string(i * i); },
                     [&](std::size_t i, std::string text) {
                       EXPECT_EQ(text, std::to_string(i * i));
                       ++seen[i];
                     },
                     2);
  for (int count : seen) EXPECT_EQ(count, 1);
}

// A system that refuses threads (EAGAIN: a limit on processes, as on a busy login node) leaves
// the items to this thread: every item is handed on once. The refusal had come out of deal_work
// (failing the batch), or, with some workers started, past joinable threads (std::terminate). Run in a child whose
// user may hold one process (root first becomes nobody: root's limit is not enforced).
TEST(DealWork, ThreadsTheSystemRefusesLeaveTheItemsToThisThread) {
  // One process allowed: no worker starts. Three: two start, the third is refused.
  for (const rlim_t processes : {1, 3}) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(3);
      const rlimit limit{processes, processes};
      if (setrlimit(RLIMIT_NPROC, &limit) != 0) _exit(4);
      std::vector<int> handed(20, 0);
      try {
        mgscope::deal_work(
            items(20), [](std::size_t i) { return std::to_string(i); },
            [&](std::size_t i, std::string text) { handed[i] += text == std::to_string(i) ? 1 : 100; }, 4);
      } catch (...) {
        _exit(5);
      }
      for (int h : handed)
        if (h != 1) _exit(2);
      _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << processes << " process(es): the child ended by signal " << WTERMSIG(status);
    if (WEXITSTATUS(status) == 3 || WEXITSTATUS(status) == 4)
      GTEST_SKIP() << "this system would not let the test limit a child's processes (setuid or setrlimit refused)";
    EXPECT_EQ(WEXITSTATUS(status), 0) << processes << " process(es); 2: an item not handed on once; 5: deal_work threw";
  }
}

}  // namespace

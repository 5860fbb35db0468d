// parallel_for with and without a core lender: every item exactly once, thread indices within
// the loop's threads, cores borrowed only when lent and always given back.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "fitting/base/core_lending.hpp"
#include "fitting/base/parallel_for.hpp"

namespace mgscope {
namespace {

// Each item's count and the thread index that ran it.
struct Record {
  std::vector<std::atomic<int>> runs;
  std::vector<int> thread;
  explicit Record(long n) : runs(std::size_t(n)), thread(std::size_t(n), -1) {}
  void note(long i, int t) {
    runs[std::size_t(i)]++;
    thread[std::size_t(i)] = t;
  }
  bool each_once() const {
    for (const auto& r : runs)
      if (r.load() != 1) return false;
    return true;
  }
  std::set<int> threads() const { return {thread.begin(), thread.end()}; }
};

// The cores a lender has idle (taken to count them: the lender is not used after).
int idle_cores(CoreLender& lender) {
  int idle = 0;
  while (lender.borrow()) ++idle;
  return idle;
}

TEST(ParallelFor, WithoutLenderStartsEveryThread) {
  Record rec(200);
  std::atomic<int> running{0}, most{0};
  parallel_for(200, 3, [&](long i, int t) {
    const int now = ++running;
    for (int seen = most.load(); now > seen && !most.compare_exchange_weak(seen, now);) {
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    --running;
    rec.note(i, t);
  });
  EXPECT_TRUE(rec.each_once());
  for (int t : rec.threads()) EXPECT_TRUE(t >= 0 && t < 3) << t;
  EXPECT_GE(most.load(), 2);  // the threads ran side by side
}

TEST(ParallelFor, LenderWithNoIdleCoreRunsOnTheCallingThreadAlone) {
  CoreLender lender(0);
  CoreLenderScope scope(&lender);
  Record rec(100);
  const std::thread::id caller = std::this_thread::get_id();
  bool all_on_caller = true;
  parallel_for(100, 4, [&](long i, int t) {
    all_on_caller = all_on_caller && std::this_thread::get_id() == caller;
    rec.note(i, t);
  });
  EXPECT_TRUE(rec.each_once());
  EXPECT_TRUE(all_on_caller);
  EXPECT_EQ(rec.threads(), std::set<int>{0});
  EXPECT_FALSE(lender.any_idle());
}

TEST(ParallelFor, CoreLentDuringTheLoopIsTakenAndGivenBack) {
  CoreLender lender(0);
  CoreLenderScope scope(&lender);
  constexpr long kItems = 400;
  Record rec(kItems);
  std::atomic<bool> lent{false};
  parallel_for(kItems, 2, [&](long i, int t) {
    if (i == 10 && !lent.exchange(true)) lender.lend();  // another job left: its core is idle
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    rec.note(i, t);
  });
  EXPECT_TRUE(rec.each_once());
  EXPECT_EQ(rec.threads(), (std::set<int>{0, 1}));  // the lent core joined, as thread 1
  EXPECT_EQ(idle_cores(lender), 1);  // given back
}

TEST(ParallelFor, IdleCoresAreBorrowedAtTheStartUpToTheLoopsThreads) {
  CoreLender lender(5);
  CoreLenderScope scope(&lender);
  Record rec(300);
  parallel_for(300, 3, [&](long i, int t) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    rec.note(i, t);
  });
  EXPECT_TRUE(rec.each_once());
  for (int t : rec.threads()) EXPECT_TRUE(t >= 0 && t < 3) << t;
  EXPECT_EQ(idle_cores(lender), 5);
}

TEST(ParallelFor, BorrowedCoresComeBackWhenAnItemThrows) {
  CoreLender lender(2);
  CoreLenderScope scope(&lender);
  EXPECT_THROW(parallel_for(50, 3,
                            [&](long i, int) {
                              if (i == 20) throw std::runtime_error("item 20");
                            }),
               std::runtime_error);
  EXPECT_EQ(idle_cores(lender), 2);
}

TEST(ParallelFor, NestedLoopsSeeTheLender) {
  CoreLender lender(1);
  CoreLenderScope scope(&lender);
  std::atomic<int> with_lender{0};
  parallel_for(4, 2, [&](long, int) {
    if (core_lender() == &lender) ++with_lender;
  });
  EXPECT_EQ(with_lender.load(), 4);  // on the calling thread and on the borrowed one
  EXPECT_EQ(idle_cores(lender), 1);
}

TEST(CoreLoan, WithoutLenderGrantsAllElseWhatIsIdle) {
  {
    CoreLoan loan(3);
    EXPECT_EQ(loan.threads(), 4);
  }
  CoreLender lender(1);
  CoreLenderScope scope(&lender);
  {
    CoreLoan loan(3);
    EXPECT_EQ(loan.extra(), 1);
    EXPECT_FALSE(lender.any_idle());
  }
  EXPECT_TRUE(lender.any_idle());  // given back
  CoreLoan none(-2);
  EXPECT_EQ(none.threads(), 1);
}

}  // namespace
}  // namespace mgscope

// Cores lent among the jobs a batch runs at the same time. Two images analysed side by side each
// hold one core; when one worker finds no image left, the other's loops would run on one core to
// the end while the freed core idles (the last ~0.15 s of a 20-image batch, ~4 % of its time; the
// whole time of a large image dealt last). A worker that leaves lends its core to the lender; the
// parallel loops of the other jobs (parallel_for.hpp) borrow it, even in the middle of a loop,
// and give it back when the loop ends. The results never depend on it: they are stored by item.
#pragma once
#include <atomic>

namespace mgscope {

class CoreLender {
 public:
  explicit CoreLender(int idle_cores = 0) : idle_(idle_cores) {}
  CoreLender(const CoreLender&) = delete;
  CoreLender& operator=(const CoreLender&) = delete;

  // Takes an idle core, if there is one.
  bool borrow() {
    int n = idle_.load(std::memory_order_relaxed);
    while (n > 0)
      if (idle_.compare_exchange_weak(n, n - 1, std::memory_order_acquire, std::memory_order_relaxed)) return true;
    return false;
  }
  bool any_idle() const { return idle_.load(std::memory_order_relaxed) > 0; }
  // Gives a core (borrowed, or freed by a job that left) to whoever borrows next.
  void lend() { idle_.fetch_add(1, std::memory_order_release); }

 private:
  std::atomic<int> idle_;
};

// The cores this process may run on: its CPU affinity (a launcher, `taskset` or a scheduler's cpuset
// may leave fewer than the machine has), at most its cgroup's CPU quota (cpu_quota.hpp), at most
// the limit set by limit_usable_cores.
int usable_cores();

// Caps usable_cores() for the rest of the process (0: no cap): a module that `mgscope sample` runs
// beside others is given its share of the sample's threads this way, so that every loop's "all
// cores" becomes that share.
void limit_usable_cores(int cores);

// The lender that this thread's loops borrow from: nullptr (the default) for none, in which case
// a loop starts all the threads it is given. Per thread, and per copy of this library: a module
// (libmgscope_figures.so) has its own and sees none, so its callers pass it the threads they hold.
CoreLender* core_lender();

// Makes `lender` this thread's lender until the scope ends (then the previous one again).
class CoreLenderScope {
 public:
  explicit CoreLenderScope(CoreLender* lender);
  ~CoreLenderScope();
  CoreLenderScope(const CoreLenderScope&) = delete;
  CoreLenderScope& operator=(const CoreLenderScope&) = delete;

 private:
  CoreLender* previous_;
};

// Up to `wanted` more threads than the calling one, for a scope: all of them without a lender,
// else those the lender has idle now (given back when the scope ends).
class CoreLoan {
 public:
  explicit CoreLoan(int wanted);
  ~CoreLoan();
  CoreLoan(const CoreLoan&) = delete;
  CoreLoan& operator=(const CoreLoan&) = delete;
  int extra() const { return extra_; }
  int threads() const { return 1 + extra_; }  // the calling thread and the extra ones

 private:
  CoreLender* lender_;
  int extra_ = 0;
};

}  // namespace mgscope

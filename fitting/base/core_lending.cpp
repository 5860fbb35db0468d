#include "fitting/base/core_lending.hpp"

#include "fitting/base/cpu_quota.hpp"

#include <sched.h>

#include <thread>

#include <algorithm>

namespace mgscope {

namespace {

CoreLender*& this_threads_lender() {
  thread_local CoreLender* lender = nullptr;
  return lender;
}

std::atomic<int>& core_limit() {
  static std::atomic<int> limit{0};
  return limit;
}

}  // namespace

CoreLender* core_lender() { return this_threads_lender(); }

int usable_cores() {
  // A launcher that binds ranks (Open MPI binds each of up to 2 ranks to a core), `taskset` or a
  // scheduler's cpuset leaves fewer than the machine has; a cgroup's CPU quota (Slurm, containers)
  // may allow fewer still. The affinity is asked every time: a process may change it.
  int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  cpu_set_t allowed;
  if (::sched_getaffinity(0, sizeof allowed, &allowed) == 0) cores = std::max(1, CPU_COUNT(&allowed));
  if (const std::optional<int> quota = this_process_cpu_limit()) cores = std::min(cores, *quota);
  if (const int limit = core_limit().load(std::memory_order_relaxed); limit > 0) cores = std::min(cores, limit);
  return cores;
}

void limit_usable_cores(int cores) { core_limit().store(std::max(0, cores), std::memory_order_relaxed); }

CoreLenderScope::CoreLenderScope(CoreLender* lender) : previous_(this_threads_lender()) {
  this_threads_lender() = lender;
}

CoreLenderScope::~CoreLenderScope() { this_threads_lender() = previous_; }

CoreLoan::CoreLoan(int wanted) : lender_(core_lender()) {
  wanted = std::max(0, wanted);
  if (!lender_) {
    extra_ = wanted;
    return;
  }
  while (extra_ < wanted && lender_->borrow()) ++extra_;
}

CoreLoan::~CoreLoan() {
  if (lender_)
    for (int k = 0; k < extra_; ++k) lender_->lend();
}

}  // namespace mgscope

// A minimal parallel loop: items handed out by an atomic counter, results stored by index, so
// the output never depends on the thread count or on scheduling.
#pragma once
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "fitting/base/core_lending.hpp"

namespace mgscope {

// Number of worker threads for `requested` (0 = all the cores this process may use: usable_cores),
// never more than `items`.
inline int resolve_threads(int requested, long items) {
  int t = requested > 0 ? requested : usable_cores();
  return int(std::max(1L, std::min(long(t), items)));
}

// Calls fn(item, thread_index) for item in [0, count), thread_index < resolve_threads(threads,
// count). fn must write only to per-item or per-thread storage. The first exception thrown by any
// item is rethrown after all threads stop.
// Without a lender (core_lending.hpp) every thread starts at once. With one, the calling thread
// runs alone plus the cores the lender has idle, and takes a core lent during the loop between
// two of its items; borrowed cores are given back when the loop ends.
template <class Fn>
void parallel_for(long count, int threads, Fn&& fn) {
  const int t = resolve_threads(threads, count);
  CoreLender* const lender = core_lender();
  std::atomic<long> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto body = [&](int thread_index, auto&& after_item) {
    try {
      for (long i = next++; i < count; i = next++) {
        fn(i, thread_index);
        after_item();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      next = count;
    }
  };
  std::vector<std::thread> pool;  // threads 1, 2, ...: started and joined by the calling thread only
  int borrowed = 0;
  auto grow = [&] {  // one more thread, if the loop may have one; false if not
    if (int(pool.size()) + 1 >= t || next.load(std::memory_order_relaxed) >= count) return false;
    if (lender && !lender->borrow()) return false;
    try {
      pool.emplace_back([&, k = int(pool.size()) + 1] {
        CoreLenderScope scope(lender);  // loops within an item borrow from the same lender
        body(k, [] {});
      });
    } catch (...) {  // no thread to be had: the others do its share
      if (lender) lender->lend();
      return false;
    }
    if (lender) ++borrowed;
    return true;
  };
  while (grow()) {
  }
  body(0, [&] {
    if (lender && lender->any_idle()) grow();  // a core lent during the loop (none beyond t threads)
  });
  for (auto& th : pool) th.join();
  for (int k = 0; k < borrowed; ++k) lender->lend();
  if (error) std::rethrow_exception(error);
}

}  // namespace mgscope

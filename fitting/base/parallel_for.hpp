// A minimal parallel loop: items handed out by an atomic counter, results stored by index, so
// the output never depends on the thread count or on scheduling.
#pragma once
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace mgscope {

// Number of worker threads for `requested` (0 = all cores), never more than `items`.
inline int resolve_threads(int requested, long items) {
  int t = requested > 0 ? requested : int(std::max(1u, std::thread::hardware_concurrency()));
  return int(std::max(1L, std::min(long(t), items)));
}

// Calls fn(item, thread_index) for item in [0, count). fn must write only to per-item or
// per-thread storage. The first exception thrown by any item is rethrown after all threads stop.
template <class Fn>
void parallel_for(long count, int threads, Fn&& fn) {
  const int t = resolve_threads(threads, count);
  std::atomic<long> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&](int thread_index) {
    try {
      for (long i = next++; i < count; i = next++) fn(i, thread_index);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      next = count;
    }
  };
  std::vector<std::thread> pool;
  for (int k = 1; k < t; ++k) pool.emplace_back(worker, k);
  worker(0);
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace mgscope

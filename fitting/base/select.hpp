// The k-th smallest value of an array, as std::nth_element finds it, about three times faster on
// the arrays the HRTEM kernel selects from (medians of 10-60 spectrum values per ring of every box,
// and of up to ~1,600 per ring of the null's crops): std::nth_element's partition branches on
// every comparison, which on random values the processor mispredicts about half the time. Here
// each partition step moves a value with a swap and an add whatever it compares to.
#pragma once
#include <algorithm>
#include <cstddef>
#include <utility>

namespace mgscope {

namespace select_detail {

// Quickselect partitions of [lo, hi) around rank k until the range holds at most `stop` values.
// Returns true, with `value`, when k's value is found on the way (a pivot equal to it, or
// std::nth_element: a NaN pivot, or still wide after 2 log2(n) + 8 partitions).
template <class T>
bool narrow(T* a, std::size_t n, std::size_t k, std::size_t stop, std::size_t& lo, std::size_t& hi, T& value) {
  lo = 0;
  hi = n;  // rank k lies in [lo, hi)
  int partitions_left = 8;
  for (std::size_t m = n; m > 1; m /= 2) partitions_left += 2;
  while (hi - lo > stop) {
    if (partitions_left-- == 0) {
      std::nth_element(a + lo, a + k, a + hi);
      value = a[k];
      return true;
    }
    const T x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi - 1];
    const T pivot = std::max(std::min(x, y), std::min(std::max(x, y), z));
    std::size_t below = lo;  // values below the pivot to the front: [lo, below)
    for (std::size_t j = lo; j < hi; ++j) {
      const T v = a[j];
      a[j] = a[below];
      a[below] = v;
      below += v < pivot;
    }
    if (k < below) {
      hi = below;
      continue;
    }
    std::size_t equal = below;  // then the values equal to it: [below, equal)
    for (std::size_t j = below; j < hi; ++j) {
      const T v = a[j];
      a[j] = a[equal];
      a[equal] = v;
      equal += v == pivot;
    }
    if (equal == below) {  // the pivot is NaN
      std::nth_element(a + lo, a + k, a + hi);
      value = a[k];
      return true;
    }
    if (k < equal) {
      value = pivot;
      return true;
    }
    lo = equal;
  }
  return false;
}

}  // namespace select_detail

// Returns the k-th smallest (k from 0) of a[0..n), n > k, and leaves the array partitioned as
// std::nth_element does: nothing before position k is greater than a[k], nothing after it smaller.
// The value is exactly nth_element's (it is the k-th order statistic), so results that use it do
// not change. Quickselect with a median-of-three pivot. Two cases go to std::nth_element (an
// introselect, O(n log n) at worst): a range holding NaN, where the comparisons cannot make
// progress, and a range still wide after 2 log2(n) + 8 partitions, so that values ordered against
// the median-of-three pivots (quickselect's O(n^2) case) cannot make it hang.
template <class T>
T kth_smallest(T* a, std::size_t n, std::size_t k) {
  std::size_t lo, hi;
  T value;
  if (select_detail::narrow(a, n, k, 1, lo, hi, value)) return value;
  return a[lo];
}

// The q_lo and q_hi quantiles (q_lo <= q_hi; rank q (n - 1), rounded down) of a[0..n), n > 0,
// reordered. One array serves both: after the first selection everything from its rank on is at
// least its value, so the second selects among those alone.
template <class T>
std::pair<T, T> two_quantiles(T* a, std::size_t n, double q_lo, double q_hi) {
  auto rank = [&](double q) { return std::min(n - 1, std::size_t(q * double(n - 1))); };
  const std::size_t k_lo = rank(q_lo), k_hi = rank(q_hi);
  const T lo = kth_smallest(a, n, k_lo);
  const T hi = kth_smallest(a + k_lo, n - k_lo, k_hi - k_lo);
  return {lo, hi};
}

// The k-th smallest (k from 0) of a[0..n), n > k, as kth_smallest finds it, without its promise
// about the order left in the array: for the short arrays of the box whitening (rings of 4-48
// spectrum values, a median per ring of every box). Quickselect narrows the array to at most 24
// values, then each one's rank among them is counted, a loop the compiler vectorises. Medians of
// exponential values (g++ -O3): 10 values in 25 ns, 26 in 71 ns, 48 in 135 ns against 71, 174 and
// 188 ns by partitions alone (narrowing to 16 or 32 values instead was slower from 26 values up).
// The value is the k-th order statistic, the same whatever the method; with a NaN among the last
// values, they go to std::nth_element like kth_smallest's NaN pivots.
template <class T>
T kth_smallest_value(T* a, std::size_t n, std::size_t k) {
  constexpr std::size_t kCounted = 24;
  std::size_t lo, hi;
  T value;
  if (select_detail::narrow(a, n, k, kCounted, lo, hi, value)) return value;
  bool nan = false;
  for (std::size_t j = lo; j < hi; ++j) nan |= !(a[j] == a[j]);
  if (!nan) {
    const auto rank = unsigned(k - lo);
    for (std::size_t i = lo; i < hi; ++i) {
      const T x = a[i];
      unsigned below = 0, not_above = 0;  // values < x and <= x: x is the answer when they bracket rank
      for (std::size_t j = lo; j < hi; ++j) {
        below += a[j] < x;
        not_above += a[j] <= x;
      }
      if (below <= rank && rank < not_above) return x;
    }
  }
  std::nth_element(a + lo, a + k, a + hi);
  return a[k];
}

}  // namespace mgscope

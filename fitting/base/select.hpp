// The k-th smallest value of an array, as std::nth_element finds it, about three times faster on
// the arrays the HRTEM kernel selects from (medians of 10-60 spectrum values per ring of every box,
// and of up to ~1,600 per ring of the null's crops): std::nth_element's partition branches on
// every comparison, which on random values the processor mispredicts about half the time. Here
// each partition step moves a value with a swap and an add whatever it compares to.
#pragma once
#include <algorithm>
#include <cstddef>

namespace mgscope {

// Returns the k-th smallest (k from 0) of a[0..n), n > k, and leaves the array partitioned as
// std::nth_element does: nothing before position k is greater than a[k], nothing after it smaller.
// The value is exactly nth_element's (it is the k-th order statistic), so results that use it do
// not change. Quickselect with a median-of-three pivot. Two cases go to std::nth_element (an
// introselect, O(n log n) at worst): a range holding NaN, where the comparisons cannot make
// progress, and a range still wide after 2 log2(n) + 8 partitions, so that values ordered against
// the median-of-three pivots (quickselect's O(n^2) case) cannot make it hang.
template <class T>
T kth_smallest(T* a, std::size_t n, std::size_t k) {
  std::size_t lo = 0, hi = n;  // rank k lies in [lo, hi)
  int partitions_left = 8;
  for (std::size_t m = n; m > 1; m /= 2) partitions_left += 2;
  while (hi - lo > 1) {
    if (partitions_left-- == 0) {
      std::nth_element(a + lo, a + k, a + hi);
      return a[k];
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
      return a[k];
    }
    if (k < equal) return pivot;
    lo = equal;
  }
  return a[lo];
}

}  // namespace mgscope

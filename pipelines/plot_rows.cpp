#include "pipelines/plot_rows.hpp"

#include <algorithm>

namespace mgscope {

std::vector<std::size_t> plot_rows(const std::vector<double>& y, std::size_t max_rows) {
  const std::size_t n = y.size();
  std::vector<std::size_t> rows;
  if (n <= max_rows || max_rows < 2) {
    rows.resize(n);
    for (std::size_t i = 0; i < n; ++i) rows[i] = i;
    return rows;
  }
  const std::size_t runs = max_rows / 2;
  for (std::size_t r = 0; r < runs; ++r) {
    const std::size_t begin = r * n / runs, end = (r + 1) * n / runs;
    std::size_t lo = begin, hi = begin;
    for (std::size_t i = begin; i < end; ++i) {
      if (y[i] < y[lo]) lo = i;
      if (y[i] > y[hi]) hi = i;
    }
    rows.push_back(std::min(lo, hi));
    if (hi != lo) rows.push_back(std::max(lo, hi));
  }
  return rows;
}

}  // namespace mgscope

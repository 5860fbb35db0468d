#include "fitting/base/isolated_spikes.hpp"

#include <algorithm>
#include <cmath>

#include "fitting/base/statistics.hpp"

namespace mgscope {

double isolated_jump(const std::vector<double>& x, std::size_t i, std::size_t begin, std::size_t end,
                     double agreement) {
  const double from_previous = x[i] - x[i - 1], from_next = x[i] - x[i + 1];
  if (!(from_previous * from_next > 0)) return 0;
  const double jump = std::min(std::abs(from_previous), std::abs(from_next));
  const double agree = agreement * jump;
  const bool in_line = std::abs(x[i + 1] - x[i - 1]) <= agree &&
                       (i < begin + 2 || std::abs(x[i - 1] - x[i - 2]) <= agree) &&
                       (i + 2 >= end || std::abs(x[i + 2] - x[i + 1]) <= agree);
  return in_line ? jump : 0;
}

double local_median_step(const std::vector<double>& x, std::size_t i, std::size_t begin, std::size_t end,
                         std::size_t rows) {
  const std::size_t lo = i > begin + rows ? i - rows : begin;
  const std::size_t hi = std::min(end - 1, i + rows);
  std::vector<double> steps;
  for (std::size_t j = lo; j < hi; ++j)
    if (j + 1 != i && j != i) steps.push_back(std::abs(x[j + 1] - x[j]));
  return median(steps);
}

double quantile_range(const std::vector<double>& x, std::size_t begin, std::size_t end, double q) {
  std::vector<double> v(x.begin() + std::ptrdiff_t(begin), x.begin() + std::ptrdiff_t(end));
  const auto at = [&](double p) {
    const auto it = v.begin() + std::ptrdiff_t(p * double(v.size() - 1));
    std::nth_element(v.begin(), it, v.end());
    return *it;
  };
  return at(1 - q) - at(q);
}

}  // namespace mgscope

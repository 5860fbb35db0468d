// Descriptive statistics and the Wilson interval (better than the normal one near 0 and 1,
// which is where area fractions of a few percent live).
#include "fitting/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mgscope {

MeanSd mean_sd(const std::vector<double>& values) {
  MeanSd r;
  double sum = 0;
  for (double v : values)
    if (std::isfinite(v)) {
      sum += v;
      ++r.n;
    }
  if (r.n == 0) {
    r.mean = r.sd = std::numeric_limits<double>::quiet_NaN();
    return r;
  }
  r.mean = sum / r.n;
  double ss = 0;
  for (double v : values)
    if (std::isfinite(v)) ss += (v - r.mean) * (v - r.mean);
  r.sd = r.n > 1 ? std::sqrt(ss / (r.n - 1)) : 0.0;
  return r;
}

Interval wilson_interval(long k, long n, double z) {
  if (n <= 0) return {0.0, 1.0};
  const double p = double(k) / double(n);
  const double z2 = z * z;
  const double denom = 1 + z2 / double(n);
  const double centre = (p + z2 / (2 * double(n))) / denom;
  const double half = z * std::sqrt(p * (1 - p) / double(n) + z2 / (4.0 * double(n) * double(n))) / denom;
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

double median(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + long(mid), values.end());
  double m = values[mid];
  if (values.size() % 2 == 0) m = 0.5 * (m + *std::max_element(values.begin(), values.begin() + long(mid)));
  return m;
}

}  // namespace mgscope

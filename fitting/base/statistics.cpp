// Descriptive statistics and the Wilson interval (better than the normal one near 0 and 1,
// which is where area fractions of a few percent live).
#include "fitting/base/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "fitting/base/distributions.hpp"
#include "fitting/base/select.hpp"

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
  // At k = 0 (k = n) the bound is exactly 0 (1); the formula leaves a rounding residue there.
  return {k == 0 ? 0.0 : std::max(0.0, centre - half), k == n ? 1.0 : std::min(1.0, centre + half)};
}

namespace {
double binomial_log_pmf(long k, long n, double p) {
  return std::lgamma(double(n) + 1) - std::lgamma(double(k) + 1) - std::lgamma(double(n - k) + 1) +
         double(k) * std::log(p) + double(n - k) * std::log1p(-p);
}
}  // namespace

long binomial_quantile(long n, double p, double q) {
  if (!(p > 0)) return 0;
  if (p >= 1) return n;
  double cdf = 0;
  for (long m = 0; m <= n; ++m) {
    cdf += std::exp(binomial_log_pmf(m, n, p));
    if (cdf >= q) return m;
  }
  return n;
}

double median(std::vector<double> values) { return median_in_place(values.data(), values.data() + values.size()); }

double noise_sd_from_second_differences(std::vector<double> absolute_second_differences) {
  return median(std::move(absolute_second_differences)) / 0.6745 / std::sqrt(6.0);
}

double robust_sd(std::vector<double> values) {
  const double centre = median(values);
  for (double& v : values) v = std::abs(v - centre);
  return 1.4826 * median(std::move(values));
}

namespace {
template <class T>
double median_of(T* first, T* last) {
  const std::size_t n = std::size_t(last - first);
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  const std::size_t mid = n / 2;
  double m = kth_smallest(first, n, mid);
  if (n % 2 == 0) m = 0.5 * (m + double(*std::max_element(first, first + mid)));
  return m;
}
}  // namespace

double median_in_place(double* first, double* last) { return median_of(first, last); }
double median_in_place(float* first, float* last) { return median_of(first, last); }

double pearson_r(const std::vector<double>& x, const std::vector<double>& y, int& n) {
  std::vector<std::pair<double, double>> p;
  for (std::size_t i = 0; i < std::min(x.size(), y.size()); ++i)
    if (std::isfinite(x[i]) && std::isfinite(y[i])) p.emplace_back(x[i], y[i]);
  n = int(p.size());
  if (n < 3) return std::numeric_limits<double>::quiet_NaN();
  double mx = 0, my = 0;
  for (const auto& [a, b] : p) mx += a, my += b;
  mx /= n;
  my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (const auto& [a, b] : p) sxy += (a - mx) * (b - my), sxx += (a - mx) * (a - mx), syy += (b - my) * (b - my);
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : std::numeric_limits<double>::quiet_NaN();
}

Correlation pearson(const std::vector<double>& x, const std::vector<double>& y) {
  Correlation c;
  c.r = pearson_r(x, y, c.n);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!std::isfinite(c.r)) {
    c.p_value = nan, c.r_95 = {nan, nan};
    return c;
  }
  const double dof = c.n - 2, r2 = std::min(c.r * c.r, 1.0);
  if (r2 >= 1) {
    c.p_value = 0;
  } else {
    const double t = std::abs(c.r) * std::sqrt(dof / (1 - r2));
    c.p_value = 2 * (1 - student_t_cdf(t, dof));
  }
  if (c.n > 3 && r2 < 1) {
    const double z = std::atanh(c.r), half = 1.959963984540054 / std::sqrt(c.n - 3.0);
    c.r_95 = {std::tanh(z - half), std::tanh(z + half)};
  } else {
    c.r_95 = {r2 >= 1 ? c.r : -1.0, r2 >= 1 ? c.r : 1.0};  // n = 3: no Fisher interval; say "anything"
  }
  return c;
}

}  // namespace mgscope

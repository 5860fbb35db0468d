// The one straight-line least-squares fit of the project (power laws in log-log space, DSC
// baselines, Arrott windows): centred sums, optional weights, standard errors.
#pragma once
#include <cstddef>
#include <limits>
#include <vector>

namespace mgscope {

struct LineFit {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  int n = 0;                                  // points used
  double slope = kNaN, intercept = kNaN;      // y = intercept + slope x
  double slope_se = kNaN, intercept_se = kNaN;  // from the residual variance, n - 2 degrees of freedom
  double mean_x = kNaN, mean_y = kNaN;        // (weighted) means
  double sxx = kNaN, syy = kNaN, sxy = kNaN;  // (weighted) sums of centred squares and products
  double sse = kNaN;                          // (weighted) residual sum of squares

  bool usable() const { return n >= 2 && slope == slope; }
  double at(double x) const { return intercept + slope * x; }
  double residual_variance() const { return n > 2 ? sse / (n - 2) : kNaN; }
  double r_squared() const { return syy > 0 ? 1 - sse / syy : 1; }
};

// Least squares over points i in [0, n) (weights w[i] > 0 when `w` is given: weighted least
// squares, whose residual variance estimates the variance of unit weight). Needs 2 points with
// some spread in x; otherwise the slope stays NaN (usable() false). Standard errors need 3.
LineFit fit_line(const double* x, const double* y, std::size_t n, const double* w = nullptr);
inline LineFit fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  return fit_line(x.data(), y.data(), x.size() < y.size() ? x.size() : y.size());
}

}  // namespace mgscope

// Centred sums, two passes: sums of squares about the mean stay accurate for data far from the
// origin (DSC baselines near 600 K, log-log power laws).
#include "fitting/base/line_fit.hpp"

#include <cmath>

namespace mgscope {

LineFit fit_line(const double* x, const double* y, std::size_t n, const double* w) {
  LineFit f;
  f.n = static_cast<int>(n);
  if (n < 2) return f;
  double sw = 0, mx = 0, my = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double wi = w ? w[i] : 1.0;
    sw += wi, mx += wi * x[i], my += wi * y[i];
  }
  mx /= sw;
  my /= sw;
  double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double wi = w ? w[i] : 1.0, dx = x[i] - mx, dy = y[i] - my;
    sxx += wi * dx * dx, sxy += wi * dx * dy, syy += wi * dy * dy;
  }
  f.mean_x = mx, f.mean_y = my, f.sxx = sxx, f.sxy = sxy, f.syy = syy;
  if (!(sxx > 0)) return f;
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  double sse = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = y[i] - f.intercept - f.slope * x[i];
    sse += (w ? w[i] : 1.0) * r * r;
  }
  f.sse = sse;
  if (n > 2) {
    const double s2 = sse / double(n - 2);
    f.slope_se = std::sqrt(s2 / sxx);
    // Unweighted: Var(a) = s2 (1/n + mx^2 / sxx); weighted: 1/sum(w) in place of 1/n.
    f.intercept_se = std::sqrt(s2 * (1 / sw + mx * mx / sxx));
  }
  return f;
}

}  // namespace mgscope

// Log-log least squares with Student-t intervals; the t quantile comes from the regularised
// incomplete beta function (continued fraction), inverted by bisection.
#include "fitting/power_law.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mgscope {

namespace {

// Continued fraction of the incomplete beta function (modified Lentz).
double beta_fraction(double a, double b, double x) {
  const double tiny = 1e-300;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::abs(d) < tiny) d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    const double m2 = 2.0 * m;
    double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    for (int pass = 0; pass < 2; ++pass) {
      d = 1 + num * d;
      if (std::abs(d) < tiny) d = tiny;
      c = 1 + num / c;
      if (std::abs(c) < tiny) c = tiny;
      d = 1 / d;
      h *= d * c;
      num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    }
    if (std::abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

// I_x(a, b).
double regularized_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
  return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

double student_t_cdf(double t, double dof) {
  const double tail = 0.5 * regularized_beta(dof / 2, 0.5, dof / (dof + t * t));
  return t >= 0 ? 1 - tail : tail;
}

}  // namespace

double student_t_quantile(double p, double dof) {
  if (!(p > 0 && p < 1) || !(dof > 0)) return std::numeric_limits<double>::quiet_NaN();
  double lo = -1e3, hi = 1e3;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (student_t_cdf(mid, dof) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

PowerLawFit fit_power_law(const std::vector<double>& x, const std::vector<double>& y, const PowerLawOptions& o) {
  PowerLawFit f;
  for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (!(std::isfinite(x[i]) && std::isfinite(y[i]) && x[i] > 0 && y[i] > 0)) continue;
    if ((o.x_min && x[i] < *o.x_min) || (o.x_max && x[i] > *o.x_max)) continue;
    f.used.push_back(i);
  }
  f.n_points = static_cast<int>(f.used.size());
  if (f.n_points < 3) {
    f.message = "power law needs at least 3 points with x > 0 and y > 0 in range; got " + std::to_string(f.n_points);
    return f;
  }
  double mx = 0, my = 0;
  for (std::size_t i : f.used) mx += std::log(x[i]), my += std::log(y[i]);
  const double n = f.n_points;
  mx /= n;
  my /= n;
  double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i : f.used) {
    const double dx = std::log(x[i]) - mx, dy = std::log(y[i]) - my;
    sxx += dx * dx, sxy += dx * dy, syy += dy * dy;
  }
  if (!(sxx > 0)) {
    f.message = "all x values are equal: no exponent can be fitted";
    return f;
  }
  f.exponent = sxy / sxx;
  f.ln_prefactor = my - f.exponent * mx;
  f.prefactor = std::exp(f.ln_prefactor);
  for (std::size_t i : f.used) {
    const double r = std::log(y[i]) - f.ln_prefactor - f.exponent * std::log(x[i]);
    f.sse += r * r;
  }
  const double s2 = f.sse / (n - 2);
  f.exponent_se = std::sqrt(s2 / sxx);
  f.ln_prefactor_se = std::sqrt(s2 * (1 / n + mx * mx / sxx));
  f.r_squared = syy > 0 ? 1 - f.sse / syy : 1;
  f.t_quantile = student_t_quantile(1 - (1 - o.confidence) / 2, n - 2);
  f.exponent_low = f.exponent - f.t_quantile * f.exponent_se;
  f.exponent_high = f.exponent + f.t_quantile * f.exponent_se;
  f.usable = true;
  f.message = "ok";
  return f;
}

TwoRegimeFit fit_two_regime_power_law(const std::vector<double>& x, const std::vector<double>& y,
                                      std::optional<double> breakpoint, int min_points, double confidence) {
  TwoRegimeFit t;
  auto split = [&](double b) {
    PowerLawOptions lo, hi;
    lo.confidence = hi.confidence = confidence;
    // Below: x < b. The fit keeps x <= x_max, so nudge the bound down by one ulp.
    lo.x_max = std::nextafter(b, 0.0);
    hi.x_min = b;
    return std::make_pair(fit_power_law(x, y, lo), fit_power_law(x, y, hi));
  };
  if (breakpoint) {
    auto [b, a] = split(*breakpoint);
    t.breakpoint_x = *breakpoint;
    t.below = b, t.above = a;
  } else {
    t.searched = true;
    std::vector<double> xs;
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i)
      if (std::isfinite(x[i]) && std::isfinite(y[i]) && x[i] > 0 && y[i] > 0) xs.push_back(x[i]);
    std::sort(xs.begin(), xs.end());
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t k = 1; k < xs.size(); ++k) {
      if (xs[k] == xs[k - 1]) continue;
      if (static_cast<int>(k) < min_points || static_cast<int>(xs.size() - k) < min_points) continue;
      const double b = std::sqrt(xs[k - 1] * xs[k]);
      auto [lo, hi] = split(b);
      if (!lo.usable || !hi.usable || lo.sse + hi.sse >= best) continue;
      best = lo.sse + hi.sse;
      t.breakpoint_x = b;
      t.below = lo, t.above = hi;
    }
    if (!std::isfinite(best)) {
      t.message = "no breakpoint leaves " + std::to_string(min_points) + " points on each side (" +
                  std::to_string(xs.size()) + " points)";
      return t;
    }
  }
  t.usable = t.below.usable && t.above.usable;
  t.total_sse = t.below.sse + t.above.sse;
  t.message = t.usable ? "ok" : "below: " + t.below.message + "; above: " + t.above.message;
  return t;
}

}  // namespace mgscope

// Kouvel-Fisher ratios from finite differences and their straight-line fit.
#include "magnetics/kouvel_fisher.hpp"

#include <cmath>
#include <limits>

namespace mgscope {

namespace {

// dy/dx at i from the parabola through i-1, i, i+1 (non-uniform spacing); one-sided at the ends.
double derivative(const std::vector<double>& x, const std::vector<double>& y, std::size_t i) {
  const std::size_t n = x.size();
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  if (i == 0) return (y[1] - y[0]) / (x[1] - x[0]);
  if (i + 1 == n) return (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2]);
  const double h0 = x[i] - x[i - 1], h1 = x[i + 1] - x[i];
  return (-h1 / (h0 * (h0 + h1))) * y[i - 1] + ((h1 - h0) / (h0 * h1)) * y[i] + (h0 / (h1 * (h0 + h1))) * y[i + 1];
}

}  // namespace

KouvelFisherLine kouvel_fisher_line(const std::vector<double>& T, const std::vector<double>& v,
                                    const std::vector<bool>& use) {
  KouvelFisherLine r;
  r.exponent_se = r.tc_se_K = std::numeric_limits<double>::quiet_NaN();
  // Only the finite points form the series the derivative runs over.
  std::vector<double> t, y;
  std::vector<bool> u;
  for (std::size_t i = 0; i < T.size() && i < v.size(); ++i)
    if (std::isfinite(T[i]) && std::isfinite(v[i]) && v[i] > 0)
      t.push_back(T[i]), y.push_back(v[i]), u.push_back(i < use.size() && use[i]);
  // End points of the series have only a one-sided difference (off by half the curvature times
  // the spacing, large next to Tc): they are left out of the fit.
  for (std::size_t i = 1; i + 1 < t.size(); ++i) {
    if (!u[i]) continue;
    const double d = derivative(t, y, i);
    if (std::isfinite(d) && d != 0) r.temperature_K.push_back(t[i]), r.ratio_K.push_back(y[i] / d);
  }
  const std::size_t n = r.temperature_K.size();
  if (n < 3) {
    r.message = "needs 3 points, has " + std::to_string(n);
    return r;
  }
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < n; ++i) mx += r.temperature_K[i], my += r.ratio_K[i];
  mx /= double(n), my /= double(n);
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < n; ++i)
    sxx += (r.temperature_K[i] - mx) * (r.temperature_K[i] - mx),
        sxy += (r.temperature_K[i] - mx) * (r.ratio_K[i] - my);
  if (!(sxx > 0) || sxy == 0) {
    r.message = "flat Kouvel-Fisher ratio: no line";
    return r;
  }
  r.slope = sxy / sxx;
  r.intercept_K = my - r.slope * mx;
  r.exponent = 1 / r.slope;
  r.tc_K = -r.intercept_K / r.slope;
  if (n > 3) {
    double sse = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double e = r.ratio_K[i] - r.intercept_K - r.slope * r.temperature_K[i];
      sse += e * e;
    }
    const double s2 = sse / double(n - 2), se_slope = std::sqrt(s2 / sxx);
    r.exponent_se = se_slope / (r.slope * r.slope);
    // Tc is where the line crosses zero: var from the line's prediction variance at Tc.
    r.tc_se_K = std::sqrt(s2 * (1.0 / double(n) + (r.tc_K - mx) * (r.tc_K - mx) / sxx)) / std::abs(r.slope);
  }
  r.status = (r.slope > 0) ? FitStatus::Success : FitStatus::Failure;
  r.message = r.usable() ? "ok" : "negative slope: not a power law about Tc";
  return r;
}

}  // namespace mgscope

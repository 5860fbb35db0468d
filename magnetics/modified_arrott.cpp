// Straight lines through the modified Arrott plot and power laws with a free critical temperature.
#include "magnetics/modified_arrott.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace mgscope {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Line {
  double slope = 0, intercept = 0, sse = 0;
  bool ok = false;
};

Line least_squares_line(const std::vector<double>& x, const std::vector<double>& y) {
  Line l;
  const double n = static_cast<double>(x.size());
  if (x.size() < 2) return l;
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n, my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sxx += (x[i] - mx) * (x[i] - mx), sxy += (x[i] - mx) * (y[i] - my);
  if (!(sxx > 0)) return l;
  l.slope = sxy / sxx;
  l.intercept = my - l.slope * mx;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double r = y[i] - l.intercept - l.slope * x[i];
    l.sse += r * r;
  }
  l.ok = true;
  return l;
}

// |t| for a point on the given side of tc (positive when the point lies on that side).
double abs_t(double T, double tc, bool below) { return below ? (tc - T) / tc : (T - tc) / tc; }

// Straight line ln(value) = ln A + p ln|t| at a fixed Tc.
Line line_at(const std::vector<double>& T, const std::vector<double>& lnv, double tc, bool below) {
  std::vector<double> x;
  for (double t : T) x.push_back(std::log(abs_t(t, tc, below)));
  return least_squares_line(x, lnv);
}

}  // namespace

std::vector<ModifiedArrottLine> modified_arrott_lines(const std::vector<MhCurve>& curves, double beta, double gamma,
                                                      double field_fraction) {
  std::vector<ModifiedArrottLine> out;
  for (const MhCurve& c : curves) {
    ModifiedArrottLine l;
    l.temperature_K = c.temperature_K;
    double hmax = 0;
    for (std::size_t j = 0; j < c.field_Oe.size(); ++j)
      if (c.field_Oe[j] > 0 && c.magnetization[j] > 0) hmax = std::max(hmax, c.field_Oe[j]);
    std::vector<double> fx, fy;
    for (std::size_t j = 0; j < c.field_Oe.size(); ++j) {
      const double h = c.field_Oe[j], m = c.magnetization[j];
      if (!(h > 0 && m > 0)) continue;
      l.x.push_back(std::pow(h / m, 1 / gamma));
      l.y.push_back(std::pow(m, 1 / beta));
      l.fitted.push_back(h >= field_fraction * hmax);
      if (l.fitted.back()) fx.push_back(l.x.back()), fy.push_back(l.y.back());
    }
    l.spontaneous_m = l.inverse_susceptibility = kNaN;
    if (fx.size() >= 3) {
      const Line f = least_squares_line(fx, fy);
      if (f.ok && f.slope > 0) {
        l.has_fit = true;
        l.slope = f.slope, l.intercept = f.intercept;
        if (f.intercept > 0) l.spontaneous_m = std::pow(f.intercept, beta);
        if (f.intercept < 0) l.inverse_susceptibility = std::pow(-f.intercept / f.slope, gamma);
      }
    }
    out.push_back(std::move(l));
  }
  return out;
}

CriticalPowerLaw fit_critical_power_law(const std::vector<double>& T, const std::vector<double>& value, bool below,
                                        double tc_range_K) {
  CriticalPowerLaw r;
  r.below_tc = below;
  for (std::size_t i = 0; i < T.size() && i < value.size(); ++i)
    if (std::isfinite(T[i]) && value[i] > 0) r.temperature_K.push_back(T[i]), r.value.push_back(value[i]);
  const std::size_t n = r.temperature_K.size();
  if (n < 3) {
    r.message = "needs 3 points, has " + std::to_string(n);
    return r;
  }
  std::vector<double> lnv;
  for (double v : r.value) lnv.push_back(std::log(v));
  const auto [tmin, tmax] = std::minmax_element(r.temperature_K.begin(), r.temperature_K.end());
  // Tc range: just beyond the points up to tc_range_K away. The SSE grows steeply as Tc nears the
  // last point (ln|t| -> -inf), so a log-spaced scan finds the basin and golden section refines it.
  const double edge = below ? *tmax : *tmin, sign = below ? 1.0 : -1.0;
  const double d_min = 1e-6 * edge, d_max = tc_range_K;
  auto sse = [&](double d) { return line_at(r.temperature_K, lnv, edge + sign * d, below).sse; };
  const int scan = 200;
  double best_d = d_min, best = sse(d_min);
  int best_k = 0;
  for (int k = 1; k <= scan; ++k) {
    const double d = d_min * std::pow(d_max / d_min, double(k) / scan), s = sse(d);
    if (s < best) best = s, best_d = d, best_k = k;
  }
  double lo = d_min * std::pow(d_max / d_min, double(std::max(0, best_k - 1)) / scan);
  double hi = d_min * std::pow(d_max / d_min, double(std::min(scan, best_k + 1)) / scan);
  const double g = 0.5 * (std::sqrt(5.0) - 1);
  for (int i = 0; i < 100 && hi - lo > 1e-12 * edge; ++i) {
    const double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
    if (sse(a) < sse(b)) hi = b;
    else lo = a;
  }
  best_d = 0.5 * (lo + hi);
  r.tc_at_bound = best_k == scan || best_k == 0;
  r.tc_K = edge + sign * best_d;
  const Line l = line_at(r.temperature_K, lnv, r.tc_K, below);
  r.exponent = l.slope;
  r.amplitude = std::exp(l.intercept);
  r.rms_ln = std::sqrt(l.sse / double(n));
  r.exponent_se = r.tc_se_K = kNaN;
  if (n > 3) {
    // Jacobian of ln A + p ln|t(Tc)| in (ln A, p, Tc).
    Eigen::MatrixXd J(n, 3);
    for (std::size_t i = 0; i < n; ++i) {
      const double T_i = r.temperature_K[i], at = abs_t(T_i, r.tc_K, below);
      const double dln_dtc = (below ? 1.0 : -1.0) * T_i / (r.tc_K * r.tc_K * at);
      J(Eigen::Index(i), 0) = 1, J(Eigen::Index(i), 1) = std::log(at), J(Eigen::Index(i), 2) = r.exponent * dln_dtc;
    }
    const Eigen::Matrix3d cov = (J.transpose() * J).inverse() * (l.sse / double(n - 3));
    r.exponent_se = std::sqrt(std::max(0.0, cov(1, 1)));
    r.tc_se_K = std::sqrt(std::max(0.0, cov(2, 2)));
  }
  r.status = FitStatus::Success;
  r.message = r.tc_at_bound ? "Tc at the end of the searched range" : "ok";
  return r;
}

}  // namespace mgscope

// Local straight-line slopes of M^2 against H/M; their least value decides the Banerjee verdict.
#include "magnetics/arrott.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace mgscope {

std::vector<double> internal_field_Oe(const std::vector<double>& H, const std::vector<double>& M, double N, double rho) {
  std::vector<double> out = H;
  if (N == 0) return out;
  const double pi = 3.14159265358979323846;
  for (std::size_t i = 0; i < out.size() && i < M.size(); ++i) out[i] -= 4 * pi * N * M[i] * rho;
  return out;
}

namespace {

// Relative change of H/M over the high-field part (H >= h_from), from a straight-line fit of H/M
// against H (robust to noise on single points), divided by the mean H/M.
double h_over_m_change(const std::vector<double>& h, const std::vector<double>& q, double h_from) {
  double n = 0, mh = 0, mq = 0;
  for (std::size_t j = 0; j < h.size(); ++j)
    if (h[j] >= h_from) n += 1, mh += h[j], mq += q[j];
  if (n < 3) return 0;
  mh /= n, mq /= n;
  double shh = 0, shq = 0, lo = 1e300, hi = -1e300;
  for (std::size_t j = 0; j < h.size(); ++j)
    if (h[j] >= h_from) shh += (h[j] - mh) * (h[j] - mh), shq += (h[j] - mh) * (q[j] - mq), lo = std::min(lo, h[j]), hi = std::max(hi, h[j]);
  return shh > 0 ? std::abs(shq / shh * (hi - lo) / mq) : 0;
}

}  // namespace

ArrottResult arrott_analysis(const std::vector<MhCurve>& curves, const ArrottOptions& o) {
  ArrottResult r;
  bool any = false;
  for (const auto& c : curves) {
    ArrottIsotherm a;
    a.temperature_K = c.temperature_K;
    std::vector<std::size_t> idx(c.field_Oe.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t x, std::size_t y) { return c.field_Oe[x] < c.field_Oe[y]; });
    double hmax = 0;
    std::vector<double> h;
    for (std::size_t i : idx) {
      if (!(c.field_Oe[i] > 0 && c.magnetization[i] > 0)) continue;
      a.h_over_m.push_back(c.field_Oe[i] / c.magnetization[i]);
      a.m_squared.push_back(c.magnetization[i] * c.magnetization[i]);
      h.push_back(c.field_Oe[i]);
      hmax = std::max(hmax, c.field_Oe[i]);
    }
    a.linear = h_over_m_change(h, a.h_over_m, o.high_field_fraction * hmax) < o.min_h_over_m_spread;
    const std::size_t min_points = a.linear ? h.size() + 1 : static_cast<std::size_t>(std::max(3, o.slope_points));
    for (std::size_t s = 0; s + min_points <= h.size(); ++s) {
      if (h[s] < o.high_field_fraction * hmax) continue;
      std::size_t w = min_points;
      while (s + w < h.size() && h[s + w - 1] - h[s] < o.min_span_fraction * hmax) ++w;
      if (h[s + w - 1] - h[s] < o.min_span_fraction * hmax) break;
      double mx = 0, my = 0;
      for (std::size_t j = s; j < s + w; ++j) mx += a.h_over_m[j], my += a.m_squared[j];
      mx /= static_cast<double>(w), my /= static_cast<double>(w);
      double sxx = 0, sxy = 0;
      for (std::size_t j = s; j < s + w; ++j)
        sxx += (a.h_over_m[j] - mx) * (a.h_over_m[j] - mx), sxy += (a.h_over_m[j] - mx) * (a.m_squared[j] - my);
      if (!(sxx > 0)) continue;
      const double slope = sxy / sxx;
      double sse = 0;
      for (std::size_t j = s; j < s + w; ++j) sse += std::pow(a.m_squared[j] - my - slope * (a.h_over_m[j] - mx), 2);
      const double se = std::sqrt(sse / static_cast<double>(w - 2) / sxx);
      // Only a falling-back H/M (M^2 still rising) is the S-shape of a first-order isotherm; M
      // falling with H is a diamagnetic background, not a transition.
      const bool negative = slope + o.significance * se < 0 && a.m_squared[s + w - 1] > a.m_squared[s];
      // Keep the least slope, preferring significantly negative ones as the evidence.
      if (!a.has_slope || (negative && !a.significant_negative) ||
          (negative == a.significant_negative && slope < a.min_slope)) {
        a.min_slope = slope, a.min_slope_se = se;
        a.min_slope_field_low_Oe = h[s], a.min_slope_field_high_Oe = h[s + w - 1];
      }
      a.significant_negative = a.significant_negative || negative;
      a.has_slope = true;
    }
    if (a.has_slope) {
      r.negative_isotherms += a.significant_negative;
      if (!any || (a.significant_negative && !r.first_order) ||
          (a.significant_negative == r.first_order && a.min_slope < r.min_slope)) {
        r.min_slope = a.min_slope, r.min_slope_se = a.min_slope_se, r.min_slope_temperature_K = a.temperature_K;
        r.min_slope_field_low_Oe = a.min_slope_field_low_Oe, r.min_slope_field_high_Oe = a.min_slope_field_high_Oe;
      }
      r.first_order = r.first_order || a.significant_negative;
      any = true;
    }
    r.isotherms.push_back(std::move(a));
  }
  std::ostringstream v;
  if (!any) {
    v << "undetermined: no isotherm has " << o.slope_points << " points with H > 0, M > 0 in its high-field part";
  } else {
    v << (r.first_order ? "first order (Banerjee): " : "second order (Banerjee): ") << r.negative_isotherms << " of "
      << r.isotherms.size() << " isotherms have a significantly negative Arrott slope; "
      << (r.first_order ? "most negative " : "least ") << "slope " << r.min_slope << " +- " << r.min_slope_se
      << " (M unit)^3/Oe at " << r.min_slope_temperature_K << " K, " << r.min_slope_field_low_Oe << "-"
      << r.min_slope_field_high_Oe << " Oe";
  }
  r.verdict = v.str();
  return r;
}

}  // namespace mgscope

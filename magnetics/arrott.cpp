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
    const std::size_t w = static_cast<std::size_t>(std::max(2, o.slope_points));
    for (std::size_t s = 0; s + w <= h.size(); ++s) {
      if (h[s] < o.high_field_fraction * hmax) continue;
      double mx = 0, my = 0;
      for (std::size_t j = s; j < s + w; ++j) mx += a.h_over_m[j], my += a.m_squared[j];
      mx /= static_cast<double>(w), my /= static_cast<double>(w);
      double sxx = 0, sxy = 0;
      for (std::size_t j = s; j < s + w; ++j)
        sxx += (a.h_over_m[j] - mx) * (a.h_over_m[j] - mx), sxy += (a.h_over_m[j] - mx) * (a.m_squared[j] - my);
      if (!(sxx > 0)) continue;
      const double slope = sxy / sxx;
      if (!a.has_slope || slope < a.min_slope)
        a.min_slope = slope, a.min_slope_field_low_Oe = h[s], a.min_slope_field_high_Oe = h[s + w - 1];
      a.has_slope = true;
    }
    if (a.has_slope) {
      r.negative_isotherms += a.min_slope < 0;
      if (!any || a.min_slope < r.min_slope) {
        r.min_slope = a.min_slope, r.min_slope_temperature_K = a.temperature_K;
        r.min_slope_field_low_Oe = a.min_slope_field_low_Oe, r.min_slope_field_high_Oe = a.min_slope_field_high_Oe;
      }
      any = true;
    }
    r.isotherms.push_back(std::move(a));
  }
  std::ostringstream v;
  if (!any) {
    v << "undetermined: no isotherm has " << o.slope_points << " points with H > 0, M > 0 in its high-field part";
  } else {
    r.first_order = r.min_slope < 0;
    v << (r.first_order ? "first order (Banerjee): " : "second order (Banerjee): ") << r.negative_isotherms << " of "
      << r.isotherms.size() << " isotherms have a negative Arrott slope; least slope " << r.min_slope
      << " (emu/g)^3/Oe at " << r.min_slope_temperature_K << " K, " << r.min_slope_field_low_Oe << "-"
      << r.min_slope_field_high_Oe << " Oe";
  }
  r.verdict = v.str();
  return r;
}

}  // namespace mgscope

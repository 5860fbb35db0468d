// Local straight-line slopes of M^2 against H/M; their least value decides the Banerjee verdict.
#include "magnetics/arrott.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <numeric>
#include <sstream>

#include "fitting/base/distributions.hpp"
#include "fitting/base/line_fit.hpp"
#include "fitting/base/statistics.hpp"

namespace mgscope {

std::vector<double> internal_field_Oe(const std::vector<double>& H, const std::vector<double>& M, double N,
                                      double rho) {
  std::vector<double> out = H;
  if (N == 0) return out;
  const double pi = 3.14159265358979323846;
  for (std::size_t i = 0; i < out.size() && i < M.size(); ++i) out[i] -= 4 * pi * N * M[i] * rho;
  return out;
}

double domain_region_end_Oe(const std::vector<double>& H, const std::vector<double>& h_int) {
  bool inside = false;
  for (std::size_t j = 0; j < H.size() && j < h_int.size(); ++j) {
    if (H[j] <= 0) continue;
    if (h_int[j] < 0.5 * H[j])
      inside = true;
    else
      return inside ? h_int[j] : std::nan("");
  }
  return std::nan("");
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
    if (h[j] >= h_from)
      shh += (h[j] - mh) * (h[j] - mh), shq += (h[j] - mh) * (q[j] - mq), lo = std::min(lo, h[j]),
                                                                          hi = std::max(hi, h[j]);
  return shh > 0 ? std::abs(shq / shh * (hi - lo) / mq) : 0;
}

struct Window {
  std::size_t isotherm = 0;
  double q_slope = 0, q_sxx = 0, q_residual_variance = 0;  // H/M against H
  double arrott_slope = 0;                                 // M^2 against H/M
  double field_low_Oe = 0, field_high_Oe = 0;
  bool m_rising = false;
  double t = 0;  // q_slope / its standard error
};

// Local straight-line fits in the high-field part of one isotherm (h sorted ascending).
std::vector<Window> local_fits(const ArrottIsotherm& a, const std::vector<double>& h, double hmax,
                               const ArrottOptions& o, std::size_t isotherm, double* dof) {
  std::vector<Window> out;
  const std::size_t min_points = static_cast<std::size_t>(std::max(3, o.slope_points));
  std::size_t high_points = 0;
  for (double f : h) high_points += f >= o.high_field_fraction * hmax;
  for (std::size_t s = 0; s + min_points <= h.size(); ++s) {
    if (h[s] < o.high_field_fraction * hmax) continue;
    std::size_t w = min_points;
    while (s + w < h.size() && h[s + w - 1] - h[s] < o.min_span_fraction * hmax) ++w;
    if (h[s + w - 1] - h[s] < o.min_span_fraction * hmax) break;
    // H/M on H by weighted least squares: with a constant noise sigma_M on M, H/M has the noise
    // sigma_M * H / M^2, so the weights (M^2 / H)^2 make the residual variance estimate sigma_M^2.
    std::vector<double> weight(w);
    for (std::size_t j = 0; j < w; ++j) weight[j] = std::pow(a.m_squared[s + j] / h[s + j], 2);
    const LineFit q = fit_line(h.data() + s, a.h_over_m.data() + s, w, weight.data());  // H/M on H
    const LineFit arrott = fit_line(a.h_over_m.data() + s, a.m_squared.data() + s, w);   // M^2 on H/M
    if (!(q.usable() && arrott.usable())) continue;
    Window win;
    win.isotherm = isotherm;
    win.q_slope = q.slope;
    win.q_sxx = q.sxx;
    win.q_residual_variance = q.residual_variance();
    win.arrott_slope = arrott.slope;
    win.field_low_Oe = h[s], win.field_high_Oe = h[s + w - 1];
    win.m_rising = a.m_squared[s + w - 1] > a.m_squared[s];
    out.push_back(win);
  }
  std::vector<double> variances;
  for (const auto& w : out) variances.push_back(w.q_residual_variance);
  const double noise = median(variances);
  for (auto& w : out) w.t = noise > 0 ? w.q_slope / std::sqrt(noise / w.q_sxx) : (w.q_slope < 0 ? -1e300 : 1e300);
  *dof = static_cast<double>(high_points) - 2;
  return out;
}

}  // namespace

std::string ArrottOptions::check() const {
  if (!(high_field_fraction >= 0 && high_field_fraction < 1))
    return "ArrottOptions.high_field_fraction must be in [0, 1)";
  if (slope_points < 3) return "ArrottOptions.slope_points must be >= 3";
  if (!(min_span_fraction >= 0 && min_span_fraction < 1)) return "ArrottOptions.min_span_fraction must be in [0, 1)";
  if (!(min_h_over_m_spread >= 0)) return "ArrottOptions.min_h_over_m_spread must be >= 0";
  if (!(false_alarm > 0 && false_alarm < 1)) return "ArrottOptions.false_alarm must be in (0, 1)";
  return "";
}

ArrottResult arrott_analysis(const std::vector<MhCurve>& curves, const ArrottOptions& o) {
  require_valid(o);
  ArrottResult r;
  std::vector<Window> windows;
  std::vector<double> dof;
  for (const auto& c : curves) {
    ArrottIsotherm a;
    a.temperature_K = c.temperature_K;
    std::vector<std::size_t> idx(c.field_Oe.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(),
                     [&](std::size_t x, std::size_t y) { return c.field_Oe[x] < c.field_Oe[y]; });
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
    double d = 0;
    if (!a.linear) {
      const auto w = local_fits(a, h, hmax, o, r.isotherms.size(), &d);
      windows.insert(windows.end(), w.begin(), w.end());
    }
    dof.push_back(d);
    r.isotherms.push_back(std::move(a));
  }
  const double p = 1 - o.false_alarm / static_cast<double>(std::max<std::size_t>(1, windows.size()));
  for (const Window& w : windows) {
    ArrottIsotherm& a = r.isotherms[w.isotherm];
    const double threshold = student_t_quantile(p, std::max(1.0, dof[w.isotherm]));
    r.threshold_t = std::max(r.threshold_t, threshold);
    // Only a falling-back H/M with M still rising is the S-shape of a first-order isotherm; M
    // falling with H is a diamagnetic background, not a transition.
    a.first_order_vote = a.first_order_vote || (w.m_rising && w.t < -threshold);
    if (!a.has_fit || w.arrott_slope < a.min_arrott_slope) a.min_arrott_slope = w.arrott_slope;
    if (!a.has_fit || (w.m_rising && w.t < a.evidence_t)) {
      a.evidence_t = w.t, a.evidence_arrott_slope = w.arrott_slope;
      a.evidence_field_low_Oe = w.field_low_Oe, a.evidence_field_high_Oe = w.field_high_Oe;
    }
    a.has_fit = true;
  }
  bool any = false;
  for (const auto& a : r.isotherms) {
    if (!a.has_fit) continue;
    r.first_order_isotherms += a.first_order_vote;
    r.first_order = r.first_order || a.first_order_vote;
    if (!any || a.evidence_t < r.evidence_t) {
      r.evidence_t = a.evidence_t, r.evidence_arrott_slope = a.evidence_arrott_slope;
      r.evidence_temperature_K = a.temperature_K;
      r.evidence_field_low_Oe = a.evidence_field_low_Oe, r.evidence_field_high_Oe = a.evidence_field_high_Oe;
    }
    any = true;
  }
  std::ostringstream v;
  v << std::setprecision(4);
  if (!any) {
    v << "undetermined: no isotherm that is not linear has " << o.slope_points
      << " points with H > 0, M > 0 in its high-field part";
  } else {
    v << (r.first_order ? "first order (Banerjee): " : "second order (Banerjee): ") << r.first_order_isotherms << " of "
      << r.isotherms.size()
      << " isotherms have a significantly negative Arrott slope; strongest: d(M^2)/d(H/M) = " << r.evidence_arrott_slope
      << " (" << o.magnetization_unit << ")^3/Oe, d(H/M)/dH at " << r.evidence_t << " standard errors (threshold -"
      << r.threshold_t << ") at " << r.evidence_temperature_K << " K, " << r.evidence_field_low_Oe << "-"
      << r.evidence_field_high_Oe << " Oe";
  }
  r.status = any ? FitStatus::Success : FitStatus::Failure;
  r.message = v.str();
  return r;
}

}  // namespace mgscope

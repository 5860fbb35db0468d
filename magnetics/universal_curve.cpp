// Rescaling each -dSm(T) by its peak and half-peak temperatures, and measuring how far the curves
// for different fields lie apart.
#include "magnetics/universal_curve.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <sstream>

#include "fitting/base/error.hpp"
#include "magnetics/arrott_noakes_entropy.hpp"
#include "magnetics/arrott_noakes_synth.hpp"
#include "magnetics/mce_merit.hpp"

#include "fitting/base/summary.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

namespace {

std::vector<double> column(const EntropyChange& e, std::size_t k) {
  std::vector<double> c;
  for (const auto& row : e.minus_dSm) c.push_back(row[k]);
  return c;
}

}  // namespace

std::string UniversalCurveOptions::check() const {
  auto bad = [](const char* field, const std::string& rule, double v) {
    return std::string("UniversalCurveOptions.") + field + ": " + rule + ", got " + number_text(v, 6);
  };
  if (!(field_fraction >= 0 && field_fraction <= 1)) return bad("field_fraction", "must lie in [0, 1]", field_fraction);
  if (!(theta_max > 0)) return bad("theta_max", "must be > 0", theta_max);
  if (theta_points < 3) return bad("theta_points", "must be >= 3", theta_points);
  if (min_field_steps < 1) return bad("min_field_steps", "must be >= 1", min_field_steps);
  if (!(max_spread > 0)) return bad("max_spread", "must be > 0", max_spread);
  if (!(min_level >= 0 && min_level < 1)) return bad("min_level", "must lie in [0, 1)", min_level);
  return "";
}

std::string UniversalCurve::brief_report() const {
  std::ostringstream o;
  o << to_string(status) << ": " << message;
  if (usable()) o << "; " << verdict;
  return o.str();
}

UniversalCurve universal_curve(const EntropyChange& e, const UniversalCurveOptions& o) {
  require_valid(o);
  UniversalCurve u;
  const std::size_t nk = e.field_Oe.size();
  if (nk < 2 || e.temperature_mid_K.size() < 3) {
    u.message = "needs -dSm at 3 or more temperatures and 1 or more fields";
    return u;
  }
  const double hmax = e.field_Oe.back();
  int without_half = 0;
  for (std::size_t k = std::size_t(o.min_field_steps); k < nk; ++k) {
    if (e.field_Oe[k] < o.field_fraction * hmax) continue;
    const MceMerit m = compute_mce_merit(e.temperature_mid_K, column(e, k), e.field_Oe[k], {});
    if (m.peak_at_edge || !std::isfinite(m.fwhm_K) || !(m.peak > 0)) {
      ++without_half;
      continue;
    }
    UniversalCurveField f;
    f.field_Oe = e.field_Oe[k], f.peak = m.peak, f.tp_K = m.peak_T_K, f.tr1_K = m.fwhm_low_K, f.tr2_K = m.fwhm_high_K;
    for (std::size_t i = 0; i < e.temperature_mid_K.size(); ++i) {
      const double T = e.temperature_mid_K[i];
      f.theta.push_back(T <= f.tp_K ? -(T - f.tp_K) / (f.tr1_K - f.tp_K) : (T - f.tp_K) / (f.tr2_K - f.tp_K));
      f.normalized.push_back(e.minus_dSm[i][k] / f.peak);
    }
    u.fields.push_back(std::move(f));
  }
  if (without_half > 0)
    u.warnings.push_back(std::to_string(without_half) +
                         " field(s) left out: -dSm peaks at the edge or does not fall to half on both sides");
  if (u.fields.size() < 2) {
    u.message =
        "needs 2 or more fields whose -dSm peak falls to half on both sides; has " + std::to_string(u.fields.size());
    return u;
  }
  u.theta_low = -o.theta_max, u.theta_high = o.theta_max;
  for (const auto& f : u.fields)
    u.theta_low = std::max(u.theta_low, f.theta.front()), u.theta_high = std::min(u.theta_high, f.theta.back());
  if (!(u.theta_high - u.theta_low > 1)) {
    u.message = "the rescaled curves share less than one unit of theta";
    return u;
  }
  double sum_sq = 0;
  int counted = 0;
  for (int j = 0; j < o.theta_points; ++j) {
    const double th = u.theta_low + (u.theta_high - u.theta_low) * j / (o.theta_points - 1);
    double s = 0, s2 = 0;
    for (const auto& f : u.fields) {
      const double v = interpolate_linear(f.theta, f.normalized, th);
      s += v, s2 += v * v;
    }
    const double n = double(u.fields.size()), mean = s / n,
                 sd = std::sqrt(std::max(0.0, (s2 - n * mean * mean) / (n - 1)));
    // Relative to the local mean: a first-order transition shows in the tails, where -dSm is
    // small and its normalised values differ by tens of per cent while the peak region agrees.
    // Below min_level the noise of real data would dominate.
    u.theta_grid.push_back(th), u.mean_curve.push_back(mean), u.spread.push_back(sd);
    if (!(mean >= o.min_level)) continue;
    const double rel = sd / mean;
    sum_sq += rel * rel, ++counted;
    u.max_spread = std::max(u.max_spread, rel);
  }
  if (counted < 3) {
    u.message = "fewer than 3 theta grid points where the mean normalised -dSm reaches " + number_text(o.min_level, 3);
    return u;
  }
  u.rms_spread = std::sqrt(sum_sq / counted);
  u.collapses = u.rms_spread <= o.max_spread;
  const std::string fields = std::to_string(u.fields.size()) + " fields";
  const std::string spread = number_text(100 * u.rms_spread, 2), limit = number_text(100 * o.max_spread, 2);
  u.verdict = u.collapses ? "collapses: the normalised -dSm(theta) of " + fields + " agree within " + spread +
                                " % rms of their mean (<= " + limit + " %), as for a second-order transition"
                          : "does not collapse: the normalised -dSm(theta) of " + fields + " spread " + spread +
                                " % rms (> " + limit +
                                " %), the mark of a first-order transition (or of fields outside the scaling regime)";
  u.status = FitStatus::Success;
  u.message = "theta from " + number_text(u.theta_low, 3) + " to " + number_text(u.theta_high, 3);
  return u;
}

PowerLawFit field_exponent_at(const EntropyChange& e, double T, double field_fraction) {
  std::vector<double> h, s;
  const double hmax = e.field_Oe.empty() ? 0 : e.field_Oe.back();
  for (std::size_t k = 1; k < e.field_Oe.size(); ++k) {
    if (e.field_Oe[k] < field_fraction * hmax) continue;
    h.push_back(e.field_Oe[k]);
    s.push_back(interpolate_linear(e.temperature_mid_K, column(e, k), T));
  }
  PowerLawFit f = fit_power_law(h, s);
  if (!(T >= e.temperature_mid_K.front() && T <= e.temperature_mid_K.back())) {
    f.status = FitStatus::Failure;
    f.message = "temperature outside the -dSm table";
  }
  return f;
}

double field_exponent_spacing_bias(const EntropyChange& e, double beta, double gamma, double tc, double a, double b,
                                   double field_fraction) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!(a > 0 && b > 0 && beta > 0 && gamma > 0 && tc > 0) || e.field_Oe.size() < 3 || e.isotherm_T_K.size() < 3)
    return nan;
  // The model's two magnetisations from a and b (arrott_noakes_synth.cpp inverts them).
  ArrottNoakesModel m;
  m.beta = beta, m.gamma = gamma, m.curie_K = tc, m.reference_field_Oe = e.field_Oe.back();
  m.m_at_tc_emu_per_g = std::pow(std::pow(m.reference_field_Oe, 1 / gamma) / b, 1 / (1 / beta + 1 / gamma));
  m.spontaneous_at_09tc_emu_per_g = std::pow(a / (9 * b), beta);
  if (!m.check().empty()) return nan;
  // Fine fields (every grid field among them): the first-interval error stays out of the estimate.
  std::vector<double> fields;
  const double step = e.field_Oe[1] - e.field_Oe[0];
  for (std::size_t k = 0; k + 1 < e.field_Oe.size(); ++k)
    for (int j = 0; j < 20; ++j) fields.push_back(e.field_Oe[k] + step * j / 20.0);
  fields.push_back(e.field_Oe.back());
  EntropyOptions o;
  o.field_step_Oe = step;
  o.zero_field_tolerance_Oe = std::max(o.zero_field_tolerance_Oe, e.field_Oe.front());
  try {
    const EntropyChange model = compute_entropy_change(arrott_noakes_isotherms(m, e.isotherm_T_K, fields), o, "model");
    const PowerLawFit discrete = field_exponent_at(model, tc, field_fraction);
    std::vector<double> h;
    for (std::size_t k = 1; k < e.field_Oe.size(); ++k)
      if (e.field_Oe[k] >= field_fraction * e.field_Oe.back()) h.push_back(e.field_Oe[k]);
    const PowerLawFit exact = fit_power_law(h, arrott_noakes_minus_dSm(m, tc, h));
    return discrete.usable() && exact.usable() ? discrete.exponent - exact.exponent : nan;
  } catch (const std::exception&) {
    return nan;  // a model the grid cannot hold: no estimate, not an error of the data
  }
}

}  // namespace mgscope

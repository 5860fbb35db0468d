// The first heating minus the reference heating (interpolated at the first heating's temperatures
// and scaled to its heating rate), aligned through the glass and the liquid and integrated over time.
#include "fitting/dsc_relaxation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "fitting/base/line_fit.hpp"
#include "fitting/base/statistics.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

std::string RelaxationOptions::check() const {
  if (window && !(window->high_K > window->low_K))
    return bad_setting("RelaxationOptions", "window", "needs low_K < high_K", window->low_K);
  return first_bad_setting("RelaxationOptions",
                           {{"align_span_K", align_span_K, " K"},
                            {"min_liquid_span_K", min_liquid_span_K, " K"},
                            {"anchor_check_sd", anchor_check_sd, ""}},
                           {{"skip_start_K", skip_start_K, " K"}});
}

namespace {

std::string printf_text(const char* pattern, double a, double b = 0, double c = 0, double d = 0) {
  char text[200];
  std::snprintf(text, sizeof text, pattern, a, b, c, d);
  return text;
}

std::string range_text(const WindowK& w) { return printf_text("%.1f-%.1f K", w.low_K, w.high_K); }

bool inside(double T, const WindowK& w) { return T >= w.low_K && T <= w.high_K; }

// The aligned difference's own line over one anchor, against the noise: a trend there means the
// scans are not in the same state (or their baselines differ by more than a line).
AnchorCheck check_anchor(const char* name, const WindowK& range, const std::vector<double>& T,
                         const std::vector<double>& aligned, double noise_var) {
  AnchorCheck a;
  a.name = name;
  a.range = range;
  std::vector<double> x, y;
  for (std::size_t i = 0; i < T.size(); ++i)
    if (inside(T[i], range)) x.push_back(T[i]), y.push_back(aligned[i]);
  a.points = int(x.size());
  if (x.size() < 3) return a;
  const LineFit f = fit_line(x, y);
  const double length = range.high_K - range.low_K;
  a.mean = f.mean_y;
  a.mean_se = std::sqrt(noise_var / double(x.size()));
  if (f.usable() && f.sxx > 0) {
    a.change = f.slope * length;
    a.change_se = std::sqrt(noise_var / f.sxx) * length;
  }
  return a;
}

}  // namespace

RelaxationResult relaxation_enthalpy(const DscCurve& first, const TransitionResult& first_transitions,
                                     const DscCurve& reference, const TransitionResult& reference_transitions,
                                     const RelaxationOptions& o) {
  require_valid(o);
  RelaxationResult r;
  r.enthalpy_unit = first.enthalpy_unit();
  r.rate_first_K_per_min = first.rate_K_per_min;
  r.rate_reference_K_per_min = reference.rate_K_per_min;
  if (first.per_gram != reference.per_gram) {
    r.message = "first heating in " + std::string(first.signal_unit()) + " but reference in " +
                reference.signal_unit() + " (give --mass)";
    return r;
  }
  if (!(first.rate_K_per_min > 0) || !(reference.rate_K_per_min > 0)) {
    r.message = "heating rates must be positive";
    return r;
  }
  if (first.temperature_K.empty() || reference.temperature_K.empty()) {
    r.message = "an empty scan";
    return r;
  }

  const auto [f_lo, f_hi] = std::minmax_element(first.temperature_K.begin(), first.temperature_K.end());
  const auto [r_lo, r_hi] = std::minmax_element(reference.temperature_K.begin(), reference.temperature_K.end());
  const double common_low = std::max(*f_lo, *r_lo), common_high = std::min(*f_hi, *r_hi);
  // Both scans are liquid past each one's Tg step (the first heating's past its overshoot too), and
  // stay so until either crystallises or ends.
  double liquid_low = kNaN;
  for (const GlassTransition* g : {&reference_transitions.tg, &first_transitions.tg})
    if (g->found)
      liquid_low = std::isnan(liquid_low) ? g->liquid_baseline.low_K : std::max(liquid_low, g->liquid_baseline.low_K);
  double liquid_high = common_high - 1.0;
  for (const TransitionResult* t : {&reference_transitions, &first_transitions})
    if (t->crystallisation.found) liquid_high = std::min(liquid_high, t->crystallisation.start_K - 2.0);

  const double span = o.align_span_K;
  std::string one_sided_why;
  if (o.window) {
    r.window = *o.window;
    r.align_range = {r.window.low_K - span, r.window.low_K};
    if (!std::isnan(liquid_low) && r.window.high_K < liquid_low - 1.0)
      one_sided_why = printf_text("the window ends at %.1f K, before both scans are liquid (from %.1f K)",
                                  r.window.high_K, liquid_low);
    else
      r.liquid_range = {r.window.high_K, std::min(r.window.high_K + span, liquid_high)};
  } else {
    if (std::isnan(liquid_low)) {
      r.message = "no Tg in the reference heating to place the liquid anchor (" + reference_transitions.tg.message +
                  "); give --rel-window";
      return r;
    }
    const double start = common_low + o.skip_start_K;
    r.align_range = {start, start + span};
    // The top of the common liquid: furthest from the first heating's overshoot, whose tail the
    // step's edge (a slope criterion) does not wait out.
    r.liquid_range = {std::max(liquid_low, liquid_high - span), liquid_high};
    r.window = {r.align_range.high_K, r.liquid_range.low_K};
  }
  if (one_sided_why.empty() && !(r.liquid_range.high_K - r.liquid_range.low_K >= std::min(o.min_liquid_span_K, span)))
    one_sided_why = printf_text(
        "only %.1f K of supercooled liquid common to both scans (%.1f-%.1f K; they end or "
        "crystallise there)",
        std::max(0.0, r.liquid_range.high_K - r.liquid_range.low_K), r.liquid_range.low_K, r.liquid_range.high_K);
  r.two_sided = one_sided_why.empty();
  if (!r.two_sided) {
    if (!o.window) r.window.high_K = liquid_high;  // as far as both scans go
    r.liquid_range = {kNaN, kNaN};
  }
  if (!(r.window.high_K > r.window.low_K) || r.align_range.low_K < common_low - 1e-9 ||
      r.window.high_K > common_high + 1e-9) {
    r.message = printf_text("window %.1f-%.1f K with its glass anchor is not covered by both scans (%.1f-%.1f K)",
                            r.window.low_K, r.window.high_K, common_low, common_high);
    return r;
  }

  // A heat flow scales with the heating rate; compare the reference at the first scan's rate. The
  // rates over the anchors and window, where the scale acts: a segment's fitted rate also counts rows
  // of a hold the segmentation left at its ends (0.3 % low gave +0.027 J/g of a 0.3 J/g).
  const double plot_high = r.two_sided ? r.liquid_range.high_K : r.window.high_K;
  auto rate_over = [&](const DscCurve& c) {
    const Line t_of_T = fit_line(c.temperature_K, c.time_s, r.align_range.low_K, plot_high);
    return t_of_T.slope > 0 ? 60 / t_of_T.slope : c.rate_K_per_min;
  };
  r.rate_first_K_per_min = rate_over(first);
  r.rate_reference_K_per_min = rate_over(reference);
  r.reference_scale = r.rate_first_K_per_min / r.rate_reference_K_per_min;
  const bool other_rate = std::abs(r.reference_scale - 1) > 0.02;

  // The reference sorted by temperature for interpolation.
  std::vector<std::size_t> order(reference.temperature_K.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return reference.temperature_K[a] < reference.temperature_K[b];
  });
  std::vector<double> rT, rs;
  for (std::size_t i : order)
    rT.push_back(reference.temperature_K[i]), rs.push_back(reference.signal[i] * r.reference_scale);
  auto ref_at = [&](double T) {
    const auto it = std::lower_bound(rT.begin(), rT.end(), T);
    if (it == rT.begin()) return rs.front();
    if (it == rT.end()) return rs.back();
    const std::size_t j = std::size_t(it - rT.begin());
    const double f = rT[j] == rT[j - 1] ? 0.0 : (T - rT[j - 1]) / (rT[j] - rT[j - 1]);
    return rs[j - 1] + f * (rs[j] - rs[j - 1]);
  };
  const auto& T = first.temperature_K;
  std::vector<double> diff(T.size());
  for (std::size_t i = 0; i < diff.size(); ++i) diff[i] = first.signal[i] - ref_at(T[i]);

  // The alignment: a line through both anchors (it removes an offset, a baseline-slope difference
  // and the rate-scaled part of a straight instrument baseline), or on the glass side only an
  // offset (or a line with align_slope).
  std::vector<double> aT, ad;
  std::vector<int> side;  // 0 glass, 1 liquid
  int counts[2] = {0, 0};
  for (std::size_t i = 0; i < T.size(); ++i) {
    const int s = inside(T[i], r.align_range) ? 0 : r.two_sided && inside(T[i], r.liquid_range) ? 1 : -1;
    if (s < 0) continue;
    aT.push_back(T[i]), ad.push_back(diff[i]), side.push_back(s), ++counts[s];
  }
  if (counts[0] < 3 || (r.two_sided && counts[1] < 3)) {
    r.message = counts[0] < 3 ? "fewer than 3 points in the glass anchor (alignment range)"
                              : "fewer than 3 points in the liquid anchor";
    return r;
  }
  const bool line = r.two_sided || o.align_slope;
  const LineFit fit = fit_line(aT, ad);
  if (line) {
    if (!fit.usable()) {
      r.message = "the anchors do not fix a line";
      return r;
    }
    r.alignment = {fit.slope, fit.intercept};
  } else {
    r.alignment = {0.0, fit.mean_y};
  }
  std::vector<double> aligned(diff.size()), pos(diff.size()), neg(diff.size());
  for (std::size_t i = 0; i < diff.size(); ++i) {
    aligned[i] = diff[i] - r.alignment.at(T[i]);
    pos[i] = std::max(aligned[i], 0.0);
    neg[i] = std::max(-aligned[i], 0.0);
  }
  r.enthalpy = integrate_over(first.time_s, aligned, T, r.window.low_K, r.window.high_K);
  r.released = integrate_over(first.time_s, pos, T, r.window.low_K, r.window.high_K);
  r.absorbed = integrate_over(first.time_s, neg, T, r.window.low_K, r.window.high_K);

  // Noise of the difference from the anchors (robust), each anchor about its own line so that a trend
  // there (which the checks below judge against this noise) does not pass for noise; and its lag-1
  // correlation, counted when significant: a filtered or oversampled signal integrates to more noise
  // than its sd alone says.
  std::vector<double> res(aT.size());
  for (int k = 0; k < 2; ++k) {
    std::vector<double> x, y;
    for (std::size_t j = 0; j < aT.size(); ++j)
      if (side[j] == k) x.push_back(aT[j]), y.push_back(ad[j]);
    if (x.empty()) continue;
    const LineFit own = fit_line(x, y);
    for (std::size_t j = 0; j < aT.size(); ++j)
      if (side[j] == k) res[j] = ad[j] - (own.usable() ? own.at(aT[j]) : own.mean_y);
  }
  r.noise = robust_sd(res);
  double lag = 0, sq = 0, pairs = 0;
  for (std::size_t j = 0; j < res.size(); ++j) {
    sq += res[j] * res[j];
    if (j + 1 < res.size() && side[j] == side[j + 1]) lag += res[j] * res[j + 1], pairs += 1;
  }
  const double rho = sq > 0 ? lag / sq : 0.0;
  r.lag1_correlation = pairs > 0 && rho > 2 / std::sqrt(pairs) ? std::min(rho, 0.95) : 0.0;
  const double noise_var = r.noise * r.noise * (1 + r.lag1_correlation) / (1 - r.lag1_correlation);
  // Uncertainty: the noise integrated over the window (trapezoid weights) plus the alignment's, whose
  // rows lie outside the window. The line's error integrates to c0 d(mean) + (c1 - c0 mean_T) d(slope).
  double c0 = 0, c1 = 0, w2 = 0;
  {
    std::vector<double> w(T.size(), 0.0);
    for (std::size_t i = 1; i < T.size(); ++i)
      if (inside(T[i - 1], r.window) && inside(T[i], r.window)) {
        const double half = 0.5 * (first.time_s[i] - first.time_s[i - 1]);
        w[i - 1] += half, w[i] += half;
      }
    for (std::size_t i = 0; i < T.size(); ++i) c0 += w[i], c1 += w[i] * T[i], w2 += w[i] * w[i];
  }
  double line_var = noise_var * c0 * c0 / double(aT.size());
  if (line) line_var += noise_var * std::pow(c1 - c0 * fit.mean_x, 2) / fit.sxx;
  r.uncertainty = std::sqrt(noise_var * w2 + line_var);

  const std::string unit = first.signal_unit(), eunit = r.enthalpy_unit;
  if (other_rate)
    r.warnings.push_back(
        "heating rates differ (" + number_text(r.rate_first_K_per_min, 4) + " vs " +
        number_text(r.rate_reference_K_per_min, 4) + " K/min): the reference is scaled by their ratio, " +
        number_text(r.reference_scale, 4) +
        ", and dH_rel rests on that scaling (it holds for the sample's heat flow, not for the instrument's "
        "baseline, which the alignment removes only as far as it is straight)");
  if (!r.two_sided)
    r.warnings.push_back("aligned on the glass side only: " + one_sided_why +
                         "; a baseline-slope difference between the scans goes into dH_rel");
  const GlassTransition& rtg = reference_transitions.tg;
  if (rtg.found && r.align_range.high_K > rtg.onset_K - span)
    r.warnings.push_back(
        printf_text("the glass anchor, %.1f-%.1f K, ends within %.1f K of the reference's Tg onset "
                    "(%.1f K): the glass there may already relax",
                    r.align_range.low_K, r.align_range.high_K, span, rtg.onset_K));

  // Do the scans coincide where they should? Glass anchor; liquid anchor, or on the glass side only
  // the common liquid above the window (finding the baseline difference a one-sided alignment leaves).
  r.anchors.push_back(check_anchor("glass", r.align_range, T, aligned, noise_var));
  if (r.two_sided)
    r.anchors.push_back(check_anchor("liquid", r.liquid_range, T, aligned, noise_var));
  else if (!std::isnan(liquid_low) && liquid_high > std::max(liquid_low, r.window.high_K))
    r.anchors.push_back(
        check_anchor("liquid", {std::max(liquid_low, r.window.high_K), liquid_high}, T, aligned, noise_var));
  const double k = o.anchor_check_sd;
  for (const AnchorCheck& a : r.anchors) {
    const bool liquid = a.name == "liquid";
    const char* where = liquid ? "the supercooled liquid" : "the glass anchor";
    const char* causes = liquid ? "an overshoot not yet recovered, crystallisation setting in or a curved baseline "
                                  "difference"
                                : "relaxation reaching down into it, a start hook longer than the skipped start or a "
                                  "curved baseline difference";
    if (std::abs(a.change) > k * a.change_se)
      r.warnings.push_back("the scans do not coincide in " + std::string(where) + ", " + range_text(a.range) +
                           ": after alignment their difference changes by " + printf_text("%.2g", a.change) + " " +
                           unit + " across it (" + printf_text("%.1f", std::abs(a.change) / a.change_se) +
                           " standard errors; noise " + printf_text("%.2g", r.noise) + " " + unit + "): " + causes +
                           "; dH_rel is biased");
    else if (std::abs(a.mean) > k * a.mean_se)
      r.warnings.push_back("the scans do not coincide in " + std::string(where) + ", " + range_text(a.range) +
                           ": after alignment they differ by " + printf_text("%.2g", a.mean) + " " + unit + " there (" +
                           printf_text("%.1f", std::abs(a.mean) / a.mean_se) + " standard errors; noise " +
                           printf_text("%.2g", r.noise) + " " + unit + "): dH_rel is biased");
  }
  const std::string value =
      printf_text("dH_rel = %.3g", r.enthalpy) + " +- " + printf_text("%.2g", r.uncertainty) + " " + eunit;
  if (std::abs(r.enthalpy) < 2 * r.uncertainty)
    r.warnings.push_back(value +
                         " is within 2 uncertainties of zero: no relaxation enthalpy is resolved at this "
                         "noise (" +
                         printf_text("%.2g", r.noise) + " " + unit + ")");
  else if (r.uncertainty > 0.25 * std::abs(r.enthalpy))
    r.warnings.push_back(value + printf_text(" is uncertain by %.0f %%", 100 * r.uncertainty / std::abs(r.enthalpy)) +
                         " (noise " + printf_text("%.2g", r.noise) + " " + unit + " over " + range_text(r.window) +
                         ")");

  // The plotted difference: at most ~2000 points, from the glass anchor to the liquid anchor's end.
  std::size_t count = 0;
  for (double t : T) count += (t >= r.align_range.low_K && t <= plot_high);
  const std::size_t step = std::max<std::size_t>(1, count / 2000);
  for (std::size_t i = 0, seen = 0; i < T.size(); ++i) {
    if (T[i] < r.align_range.low_K || T[i] > plot_high) continue;
    if (seen++ % step != 0) continue;
    r.plot_T_K.push_back(T[i]);
    r.plot_first.push_back(first.signal[i]);
    r.plot_reference.push_back(first.signal[i] - aligned[i]);
    r.plot_difference.push_back(aligned[i]);
  }
  r.status = FitStatus::Success;
  return r;
}

}  // namespace mgscope

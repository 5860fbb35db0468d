// The first heating minus the reference heating (interpolated at the first heating's temperatures
// and scaled to its heating rate), aligned below the window and integrated over time.
#include "fitting/dsc_relaxation.hpp"
#include "fitting/base/text_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace mgscope {

RelaxationResult relaxation_enthalpy(const DscCurve& first, const DscCurve& reference,
                                     const TransitionResult& reference_transitions, const RelaxationOptions& o) {
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
  // A heat flow scales with the heating rate; compare the reference at the first scan's rate.
  r.reference_scale = first.rate_K_per_min / reference.rate_K_per_min;
  if (std::abs(r.reference_scale - 1) > 0.02)
    r.warnings.push_back("heating rates differ (" + number_text(first.rate_K_per_min, 4) + " vs " +
                         number_text(reference.rate_K_per_min, 4) + " K/min): reference scaled by their ratio");

  const auto [f_lo, f_hi] = std::minmax_element(first.temperature_K.begin(), first.temperature_K.end());
  const auto [r_lo, r_hi] = std::minmax_element(reference.temperature_K.begin(), reference.temperature_K.end());
  const double common_low = std::max(*f_lo, *r_lo), common_high = std::min(*f_hi, *r_hi);
  if (o.window) {
    r.window = *o.window;
  } else {
    const GlassTransition& tg = reference_transitions.tg;
    if (!tg.found) {
      r.message = "no Tg in the reference heating to place the window (" + tg.message + "); give --rel-window";
      return r;
    }
    r.window.low_K = tg.onset_K - o.below_onset_K;
    r.window.high_K = tg.end_K + o.above_end_K;
    if (reference_transitions.crystallisation.found)
      r.window.high_K = std::min(r.window.high_K, reference_transitions.crystallisation.start_K - 2.0);
    r.window.high_K = std::min(r.window.high_K, common_high - 1.0);
    r.window.low_K = std::max(r.window.low_K, common_low + o.align_span_K);
  }
  r.align_range = {r.window.low_K - o.align_span_K, r.window.low_K};
  if (!(r.window.high_K > r.window.low_K) || r.align_range.low_K < common_low - 1e-9 ||
      r.window.high_K > common_high + 1e-9) {
    char text[160];
    std::snprintf(text, sizeof text,
                  "window %.1f-%.1f K with its alignment range is not covered by both scans (%.1f-%.1f K)",
                  r.window.low_K, r.window.high_K, common_low, common_high);
    r.message = text;
    return r;
  }

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
  std::vector<double> diff(first.temperature_K.size());
  for (std::size_t i = 0; i < diff.size(); ++i) diff[i] = first.signal[i] - ref_at(first.temperature_K[i]);

  if (o.align_slope) {
    r.alignment = fit_line(first.temperature_K, diff, r.align_range.low_K, r.align_range.high_K);
  } else {
    double sum = 0, n = 0;
    for (std::size_t i = 0; i < diff.size(); ++i)
      if (first.temperature_K[i] >= r.align_range.low_K && first.temperature_K[i] <= r.align_range.high_K)
        sum += diff[i], n += 1;
    if (n >= 3) r.alignment = {0.0, sum / n};
  }
  if (std::isnan(r.alignment.intercept)) {
    r.message = "fewer than 3 points in the alignment range";
    return r;
  }
  std::vector<double> aligned(diff.size()), pos(diff.size()), neg(diff.size());
  for (std::size_t i = 0; i < diff.size(); ++i) {
    aligned[i] = diff[i] - r.alignment.at(first.temperature_K[i]);
    pos[i] = std::max(aligned[i], 0.0);
    neg[i] = std::max(-aligned[i], 0.0);
  }
  const auto& T = first.temperature_K;
  r.enthalpy = integrate_over(first.time_s, aligned, T, r.window.low_K, r.window.high_K);
  r.released = integrate_over(first.time_s, pos, T, r.window.low_K, r.window.high_K);
  r.absorbed = integrate_over(first.time_s, neg, T, r.window.low_K, r.window.high_K);
  // The plotted difference: at most ~2000 points, from the alignment range to the window's end.
  std::size_t count = 0;
  for (double t : T) count += (t >= r.align_range.low_K && t <= r.window.high_K);
  const std::size_t step = std::max<std::size_t>(1, count / 2000);
  for (std::size_t i = 0, seen = 0; i < T.size(); ++i) {
    if (T[i] < r.align_range.low_K || T[i] > r.window.high_K) continue;
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

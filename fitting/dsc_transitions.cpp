// Tangent constructions on a heating curve. Baselines are fitted on each side of an event, never
// across it: the Tg step has a glass and a liquid baseline, a peak one straight baseline fitted to
// the curve on both of its sides (outside the peak).
#include "fitting/dsc_transitions.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "fitting/base/text_file.hpp"  // number_text

namespace mgscope {

namespace {

std::string kelvin(double T) {
  std::ostringstream s;
  s.precision(1);
  s << std::fixed << T << " K";
  return s.str();
}

// Shared state of one analysis: the curve, its local fits and noise.
struct Scan {
  const DscCurve& c;
  LocalFit fit;
  double noise = 0;
  double range = 0;
  std::size_t size() const { return c.temperature_K.size(); }
  double T(std::size_t i) const { return c.temperature_K[i]; }
};

// Indices [first, last] of rows with T in [low, high] (assumes T roughly increasing).
bool index_range(const Scan& s, double low, double high, std::size_t& first, std::size_t& last) {
  first = s.size();
  last = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s.T(i) >= low && s.T(i) <= high) first = std::min(first, i), last = std::max(last, i);
  return first < s.size() && last > first + 5;
}

// One peak of sign `sign` (+1 exotherm, -1 endotherm) in [low, high]. `off_end` tells that the
// search reached a peak still under way where the scan ends (then p.message says so).
Peak find_peak(const Scan& s, int sign, double low, double high, const TransitionOptions& o, bool& off_end) {
  off_end = false;
  Peak p;
  p.exothermic = sign > 0;
  std::size_t a0, b0;
  if (!index_range(s, low, high, a0, b0)) {
    p.message = "too few points between " + kelvin(low) + " and " + kelvin(high);
    return p;
  }
  auto y = [&](std::size_t i) { return sign * s.fit.value[i]; };
  // Start from the chord of the search range; then fit the baseline on both sides outside the
  // peak's current limits and walk out again, so the limits move outwards to where the peak ends.
  Line base;
  base.slope = (y(b0) - y(a0)) / (s.T(b0) - s.T(a0));
  base.intercept = y(a0) - base.slope * s.T(a0);
  std::size_t k = a0, a = a0, b = b0;
  double height = 0;
  for (int iter = 0; iter < 4; ++iter) {
    if (iter == 0)
      for (std::size_t i = a0; i <= b0; ++i)
        if (y(i) - base.at(s.T(i)) > y(k) - base.at(s.T(k))) k = i;
    height = y(k) - base.at(s.T(k));
    if (height <= 0) break;
    // Walk out to where the peak has fallen to its edge level, but never through a valley near
    // the baseline: past it the excess rises again (another event, or a curved baseline bulging
    // above the straight one), and walking on took a crystallisation's limits to the melting peak
    // 130 K away (80 J/g read as 291.7 J/g on a baseline curved by -2e-6 W/g/K^2). A valley high
    // above the baseline (over `valley_fraction` of the height) joins overlapping steps: walked on.
    const double edge = o.peak_edge_fraction * height, valley_fraction = 0.05;
    const double rise_again = std::max(5 * s.noise, 0.05 * edge);
    auto excess = [&](std::size_t i) { return y(i) - base.at(s.T(i)); };
    auto valley_passed = [&](std::size_t i, std::size_t lowest) {
      return excess(lowest) < valley_fraction * height && excess(i) > excess(lowest) + rise_again;
    };
    a = k;
    for (std::size_t lowest = k; a > a0 && excess(a) > edge;) {
      --a;
      if (excess(a) < excess(lowest))
        lowest = a;
      else if (valley_passed(a, lowest)) {
        a = lowest;
        break;
      }
    }
    b = k;
    for (std::size_t lowest = k; b < b0 && excess(b) > edge;) {
      ++b;
      if (excess(b) < excess(lowest))
        lowest = b;
      else if (valley_passed(b, lowest)) {
        b = lowest;
        break;
      }
    }
    const Line side = fit_line(s.c.temperature_K, s.fit.value, std::max(s.T(a0), s.T(a) - o.baseline_span_K), s.T(a),
                               s.T(b), std::min(s.T(b0), s.T(b) + o.baseline_span_K));
    if (std::isnan(side.slope)) break;
    base = {sign * side.slope, sign * side.intercept};
  }
  const double threshold = std::max(o.min_peak_sigma * s.noise, o.min_peak_fraction * s.range);
  if (!(height > threshold)) {
    p.message = std::string("no ") + (sign > 0 ? "exotherm" : "endotherm") + " above " +
                number_text(threshold, 3) + " between " + kelvin(low) + " and " + kelvin(high);  // heat-flow unit
    return p;
  }
  // A peak that has not returned to a baseline `smoothing_K` before the scan ends: the scan stopped
  // inside it (a file cut mid-melting gave a 12 J/g "crystallisation" spanning 43 K to the last
  // row), and neither its baseline nor its area can be known.
  if (b0 + 1 == s.size() && s.T(b0) - s.T(b) < o.smoothing_K) {
    off_end = true;
    p.message = "the scan ends at " + kelvin(s.T(b0)) + " inside a thermal event: the signal from " + kelvin(s.T(a)) +
                " on has not returned to a baseline (" + number_text(height, 3) + " " + s.c.signal_unit() +
                " from it at " + kelvin(s.T(k)) +
                "); the file may have been cut short (check that the export is "
                "complete): no peak is reported there";
    return p;
  }
  // A step (or a peak running off the window) never returns to a baseline on both sides.
  if (a == a0 || b == b0) {
    p.message = std::string(sign > 0 ? "exotherm" : "endotherm") + " at " + kelvin(s.T(k)) +
                " does not return to a baseline inside " + kelvin(low) + " - " + kelvin(high) + " (widen the window?)";
    return p;
  }
  if (std::abs(y(b) - y(a)) > height) {
    p.message = std::string(sign > 0 ? "exotherm" : "endotherm") + " at " + kelvin(s.T(k)) +
                " ends at a level far from its start: a step, not a peak";
    return p;
  }
  p.found = true;
  p.peak_K = s.T(k);
  p.start_K = s.T(a);
  p.end_K = s.T(b);
  p.height = height;
  std::vector<double> excess(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) excess[i] = sign * s.c.signal[i] - base.at(s.T(i));
  p.enthalpy = integrate_over(s.c.time_s, excess, s.c.temperature_K, p.start_K, p.end_K);
  // The straight baseline is fitted on both sides of the peak: where the curve there strays from
  // it by more than 10 noise sd and 2 % of the height, the background is curved (or another event
  // is near) and the area rests on a poor baseline: said, not hidden.
  double stray = 0;
  for (std::size_t i = a0; i <= b0; ++i) {
    const bool side = (s.T(i) >= s.T(a) - o.baseline_span_K && s.T(i) <= s.T(a)) ||
                      (s.T(i) >= s.T(b) && s.T(i) <= s.T(b) + o.baseline_span_K);
    if (side) stray = std::max(stray, std::abs(y(i) - base.at(s.T(i))));
  }
  if (stray > std::max(o.min_peak_sigma * s.noise, 0.02 * height))
    p.message = std::string(sign > 0 ? "exotherm" : "endotherm") + " at " + kelvin(s.T(k)) + ": the curve strays " +
                number_text(stray, 3) + " " + s.c.signal_unit() + " from the straight baseline on the peak's sides (" +
                number_text(100 * stray / height, 2) +
                " % of its height): a curved background or a nearby event; its area and onset may be off";
  // Overlapping steps are one peak, but its onset is that of the first: a 10 J/g exotherm 15 K
  // before a 60 J/g one gave the big one's edge (671.6 K for 657.0 K). The leading edge ends at
  // the first maximum that stands out, by 10 noise sd and a tenth of its height, from the valley
  // behind it.
  std::size_t first_max = k;
  {
    const double stand_out = o.min_peak_sigma * s.noise;
    for (std::size_t i = a + 1; i < k; ++i) {
      const double e = y(i) - base.at(s.T(i));
      if (!(e > threshold && sign * s.fit.slope[i - 1] > 0 && sign * s.fit.slope[i + 1] <= 0)) continue;
      double valley = e;
      for (std::size_t m = i; m <= k; ++m) valley = std::min(valley, y(m) - base.at(s.T(m)));
      if (e - valley > std::max(stand_out, 0.1 * e)) {
        first_max = i;
        break;
      }
    }
  }
  std::size_t steep = a;  // steepest point of the leading edge
  for (std::size_t i = a; i <= first_max; ++i)
    if (sign * s.fit.slope[i] > sign * s.fit.slope[steep]) steep = i;
  p.tangent.at_K = s.T(steep);
  p.tangent.line.slope = s.fit.slope[steep];
  p.tangent.line.intercept = s.fit.value[steep] - s.fit.slope[steep] * s.T(steep);
  p.baseline.slope = sign * base.slope;  // back to the signal's own sign
  p.baseline.intercept = sign * base.intercept;
  p.onset_K = intersection_K(p.tangent.line, p.baseline);
  // A tangent onset lies between where the peak leaves its baseline and its maximum; elsewhere
  // the tangent was nearly flat (rows coarser than the smoothing gave -4930 K for a peak at
  // 665 K), and the number would be no onset at all.
  if (!(p.onset_K >= p.start_K && p.onset_K <= s.T(first_max))) {
    p.message = std::string(sign > 0 ? "exotherm" : "endotherm") + " at " + kelvin(p.peak_K) +
                ": its tangent meets the baseline at " + kelvin(p.onset_K) + ", outside the peak's start (" +
                kelvin(p.start_K) + ") and maximum: no onset reported";
    p.onset_K = kNaN;
  }
  return p;
}

// Peaks of one sign in [low, high], largest first, then in the ranges left beside each, until
// nothing significant remains or `max_count` are found; sorted by temperature. `cut` gets the
// message of a peak still under way where the scan ends (kept empty otherwise).
std::vector<Peak> find_peaks(const Scan& s, int sign, double low, double high, int max_count,
                             const TransitionOptions& o, std::string& cut, std::string* why_none = nullptr) {
  std::vector<Peak> found;
  std::vector<WindowK> todo{{low, high}};
  while (!todo.empty() && int(found.size()) < max_count) {
    const WindowK w = todo.back();
    todo.pop_back();
    if (w.high_K - w.low_K < 4 * o.smoothing_K) continue;
    bool off_end = false;
    Peak p = find_peak(s, sign, w.low_K, w.high_K, o, off_end);
    if (off_end && cut.empty()) cut = p.message;
    if (why_none && found.empty() && !p.found && why_none->empty()) *why_none = p.message;
    if (!p.found) continue;
    todo.push_back({w.low_K, p.start_K});
    todo.push_back({p.end_K, w.high_K});
    found.push_back(p);
  }
  std::sort(found.begin(), found.end(), [](const Peak& a, const Peak& b) { return a.peak_K < b.peak_K; });
  return found;
}

// The Tg construction around the steepest descent at row k, searched rows [a, b].
GlassTransition glass_transition_at(const Scan& s, std::size_t k, std::size_t a, std::size_t b, double ref,
                                    double low, double high, bool user_window, const TransitionOptions& o) {
  GlassTransition g;
  const double span = o.baseline_span_K;
  const double depth = ref - s.fit.slope[k];
  const double thr = o.step_edge_fraction * depth;
  double glass_high = low + span, liquid_low = high - span;
  if (!user_window) {
    std::size_t i = k;
    while (i > a && s.fit.slope[i] < ref - thr) --i;
    glass_high = s.T(i) - o.smoothing_K;
    std::size_t j = k;
    while (j < b && s.fit.slope[j] < ref - thr) ++j;
    while (j < b && s.fit.slope[j] > ref + thr) ++j;  // the recovery side of a relaxation overshoot
    // An overshoot (an aged glass recovering enthalpy) dips below the liquid and rises back; at its
    // bottom the slope passes through the band around the baselines' slope, where the walks above
    // stop (a liquid baseline fitted on the recovery gave delta_cp +38 % for 0.3 J/g). A rise
    // just past the bottom (twice the way from the steepest point down to it, at most a baseline
    // span: further on, a wide step's liquid meets the crystallisation's leading edge), steeper than
    // a fifth of the descent (a sloped or curved liquid rises far less) and levelling off before the
    // search ends (not a scan's end hook), is that recovery: the liquid starts where it levels off.
    const double look_K = s.T(j) + std::min(2 * (s.T(j) - s.T(k)), span) + 2 * o.smoothing_K;
    std::size_t p = j;
    for (std::size_t r = j; r <= b && s.T(r) < look_K; ++r)
      if (s.fit.slope[r] > s.fit.slope[p]) p = r;
    if (const double rise = s.fit.slope[p] - ref; rise > 0.2 * depth) {
      std::size_t e = p;
      while (e < b && s.fit.slope[e] > ref + 0.1 * rise) ++e;
      // and it levels off at the liquid, below the glass side (a crystallisation's leading edge
      // rises far above it: a 12 K wide step's liquid meets one within the look-ahead).
      if (e < b && s.fit.value[e] < s.fit.value[i]) j = e;
    }
    liquid_low = s.T(j) + o.smoothing_K;
  }
  g.glass_baseline.low_K = std::max(low, glass_high - span);
  g.glass_baseline.high_K = glass_high;
  g.liquid_baseline.low_K = liquid_low;
  g.liquid_baseline.high_K = std::min(high, liquid_low + span);
  g.glass_baseline.line = fit_line(s.c.temperature_K, s.c.signal, g.glass_baseline.low_K, g.glass_baseline.high_K);
  g.liquid_baseline.line = fit_line(s.c.temperature_K, s.c.signal, g.liquid_baseline.low_K, g.liquid_baseline.high_K);
  g.tangent.at_K = s.T(k);
  if (std::isnan(g.glass_baseline.line.slope) || std::isnan(g.liquid_baseline.line.slope) ||
      g.glass_baseline.high_K - g.glass_baseline.low_K < 2 || g.liquid_baseline.high_K - g.liquid_baseline.low_K < 2) {
    g.message = "no room for a glass and a liquid baseline around the steepest descent at " + kelvin(s.T(k));
    return g;
  }
  g.tangent.line.slope = s.fit.slope[k];
  g.tangent.line.intercept = s.fit.value[k] - s.fit.slope[k] * s.T(k);
  g.onset_K = intersection_K(g.glass_baseline.line, g.tangent.line);
  g.end_K = intersection_K(g.liquid_baseline.line, g.tangent.line);
  // Half step height: the first downward crossing of the mid-line from the onset on.
  auto excess = [&](std::size_t i) {
    const double mid = 0.5 * (g.glass_baseline.line.at(s.T(i)) + g.liquid_baseline.line.at(s.T(i)));
    return s.fit.value[i] - mid;
  };
  for (std::size_t i = a + 1; i <= b; ++i) {
    if (s.T(i) < g.onset_K - o.smoothing_K) continue;
    if (excess(i - 1) >= 0 && excess(i) < 0) {
      const double f = excess(i - 1) / (excess(i - 1) - excess(i));
      g.midpoint_K = s.T(i - 1) + f * (s.T(i) - s.T(i - 1));
      break;
    }
  }
  const double mid_T = std::isnan(g.midpoint_K) ? s.T(k) : g.midpoint_K;
  g.step_height = g.glass_baseline.line.at(mid_T) - g.liquid_baseline.line.at(mid_T);
  // What separates a step from the edge of a peak: a real step is higher than the noise, its two
  // baselines run nearly parallel to each other (not up or down a peak's flank), and the curve does
  // not dive far below the liquid baseline (a melting peak does; a relaxation overshoot stays modest).
  double dip = 0;
  for (std::size_t i = k; i < s.size() && s.T(i) <= g.liquid_baseline.low_K; ++i)
    dip = std::max(dip, g.liquid_baseline.line.at(s.T(i)) - s.fit.value[i]);
  const double threshold = o.min_peak_sigma * s.noise;
  const double parallel = 0.25 * depth;
  // With an overshoot the steepest point already lies below the liquid baseline, so the tangent
  // meets that baseline before its contact point: the end lies between the onset and the contact.
  const bool overshoot = s.fit.value[k] < g.liquid_baseline.line.at(s.T(k));
  if (!(g.step_height > threshold)) {
    g.message =
        "no endothermic step above " + number_text(threshold, 3) + " (steepest descent at " + kelvin(s.T(k)) + ")";
  } else if (!user_window && (std::abs(g.glass_baseline.line.slope - ref) > parallel ||
                              std::abs(g.liquid_baseline.line.slope - ref) > parallel)) {
    g.message = "descent at " + kelvin(s.T(k)) + " is the flank of a peak, not a step (baselines not parallel)";
  } else if (std::abs(g.glass_baseline.line.slope - g.liquid_baseline.line.slope) * span > 0.5 * g.step_height) {
    // The test above scales with the steepest slope, so the steep falling flank of a sharp peak
    // (--smoothing 0.5 on a 60 J/g exotherm of sigma 1.5 K) passed with a "glass baseline" on the
    // rising flank: Tg 666.4 K, delta_cp 11.1 J/(g K). A step's two baselines run parallel: over
    // a baseline span they part by far less than the step.
    g.message = "descent at " + kelvin(s.T(k)) + " is the flank of a peak, not a step (its baselines part by " +
                number_text(std::abs(g.glass_baseline.line.slope - g.liquid_baseline.line.slope) * span, 3) + " over " +
                number_text(span, 3) + " K, against a step of " + number_text(g.step_height, 3) + ")";
  } else if (dip > 3 * g.step_height) {
    g.message = "descent at " + kelvin(s.T(k)) + " leads into a peak, not a step";
  } else if (!(g.onset_K < g.tangent.at_K) || !(g.end_K > (overshoot ? g.onset_K : g.tangent.at_K))) {
    g.message = "tangent at " + kelvin(s.T(k)) + " does not cross both baselines around it";
  } else if (!(g.onset_K >= g.glass_baseline.low_K)) {
    // The tangent meets the glass baseline below where that baseline was fitted: a flat tangent,
    // not the step's, and the onset would be a number from nowhere.
    g.message = "Tg onset " + kelvin(g.onset_K) + " lies below the glass baseline (fitted from " +
                kelvin(g.glass_baseline.low_K) + "): no Tg reported";
  } else if (!(g.end_K <= g.liquid_baseline.high_K) || !(g.end_K <= s.T(s.size() - 1))) {
    g.message = "Tg end " + kelvin(g.end_K) + " lies beyond the liquid baseline (fitted up to " +
                kelvin(g.liquid_baseline.high_K) + ") or the scan's end (" + kelvin(s.T(s.size() - 1)) +
                "): no Tg reported";
  } else if (std::isnan(g.midpoint_K)) {
    g.message = "the curve never crosses half the step height";
  } else {
    g.delta_cp = g.step_height / (s.c.rate_K_per_min / 60.0);
    g.found = true;
  }
  return g;
}

// The steepest descents in [low, high] in turn, until one passes as a Tg step (a few tries: the
// steepest descent of a scan is often a peak's flank).
GlassTransition find_glass_transition(const Scan& s, double low, double high, bool user_window,
                                      const TransitionOptions& o) {
  const double span = o.baseline_span_K;
  // With a user window the baselines sit at its two ends; the step is searched between them.
  const double search_low = user_window ? low + span : low + o.smoothing_K;
  const double search_high = user_window ? high - span : high - o.smoothing_K;
  std::size_t a, b;
  GlassTransition g;
  if (search_high <= search_low || !index_range(s, search_low, search_high, a, b)) {
    g.message = "Tg search range " + kelvin(low) + " - " + kelvin(high) + " is too narrow";
    return g;
  }
  std::vector<double> slopes(s.fit.slope.begin() + long(a), s.fit.slope.begin() + long(b) + 1);
  std::nth_element(slopes.begin(), slopes.begin() + long(slopes.size() / 2), slopes.end());
  const double ref = slopes[slopes.size() / 2];  // the baselines' slope
  std::vector<bool> tried(s.size(), false);
  for (int attempt = 0; attempt < 6; ++attempt) {
    std::size_t k = b + 1;  // steepest descent not yet tried
    for (std::size_t i = a; i <= b; ++i)
      if (!tried[i] && (k > b || s.fit.slope[i] < s.fit.slope[k])) k = i;
    if (k > b || !(s.fit.slope[k] < ref)) break;
    GlassTransition candidate = glass_transition_at(s, k, a, b, ref, low, high, user_window, o);
    if (candidate.found || attempt == 0) g = candidate;
    if (candidate.found || user_window) break;
    // Exclude this event (from its glass-side to its liquid-side baseline) and try the next.
    const double ex_low = std::min(candidate.glass_baseline.high_K, s.T(k) - o.smoothing_K);
    const double ex_high = std::max(candidate.liquid_baseline.low_K, s.T(k) + o.smoothing_K);
    for (std::size_t i = a; i <= b; ++i)
      if (s.T(i) >= ex_low && s.T(i) <= ex_high) tried[i] = true;
    tried[k] = true;
  }
  if (!g.found && g.message.empty())  // nowhere steeper than the baselines (a flat signal)
    g.message = "the heat flow never falls faster than its baselines between " + kelvin(low) + " and " + kelvin(high);
  return g;
}

}  // namespace

std::string TransitionOptions::check() const {
  auto window_ok = [](const std::optional<WindowK>& w) { return !w || w->high_K > w->low_K; };
  // Upper bounds: a DSC scan spans a few hundred K; beyond them a span covers any scan whole.
  if (!(smoothing_K > 0 && smoothing_K <= 100)) return "--smoothing (smoothing_K) must lie in (0, 100] K";
  if (!(baseline_span_K > 0 && baseline_span_K <= 500))
    return "--baseline-span (baseline_span_K) must lie in (0, 500] K";
  if (!(skip_start_K >= 0 && skip_start_K <= 500)) return "--skip-start (skip_start_K) must lie in [0, 500] K";
  if (!(step_edge_fraction > 0 && step_edge_fraction < 1)) return "step_edge_fraction must be in (0, 1)";
  if (!(peak_edge_fraction > 0 && peak_edge_fraction < 1)) return "peak_edge_fraction must be in (0, 1)";
  if (!(min_peak_sigma >= 0) || !(min_peak_fraction >= 0)) return "min_peak_sigma and min_peak_fraction must be >= 0";
  if (!window_ok(tg_window)) return "tg_window needs low_K < high_K";
  if (!window_ok(tx_window)) return "tx_window needs low_K < high_K";
  return "";
}

double supercooled_liquid_region_K(const TransitionResult& t) {
  // Both from one heating: a Tg of one scan and a Tx of another would mix two thermal histories.
  return t.tg.found && t.crystallisation.found ? t.crystallisation.onset_K - t.tg.onset_K : kNaN;
}

TransitionResult analyse_transitions(const DscCurve& curve, const TransitionOptions& o) {
  require_valid(o);
  TransitionResult r;
  Scan s{curve, local_linear_fit(curve.temperature_K, curve.signal, o.smoothing_K)};
  if (s.size() < 20) {
    r.message = "fewer than 20 points: nothing analysed";
    r.warnings.push_back(r.message);
    return r;
  }
  r.status = FitStatus::Success;
  r.message = "searched";
  s.noise = noise_sd(curve.signal, s.fit.value);
  const auto [mn, mx] = std::minmax_element(s.fit.value.begin(), s.fit.value.end());
  s.range = *mx - *mn;
  r.noise = s.noise;
  if (s.fit.widened > 0) {
    std::vector<double> steps;
    for (std::size_t i = 1; i < s.size(); ++i) steps.push_back(std::abs(s.T(i) - s.T(i - 1)));
    std::nth_element(steps.begin(), steps.begin() + long(steps.size() / 2), steps.end());
    r.warnings.push_back("the rows are " + number_text(steps[steps.size() / 2], 3) +
                         " K apart, coarser than the smoothing (--smoothing " + number_text(o.smoothing_K, 3) +
                         " K on each side): values and slopes at " + std::to_string(s.fit.widened) +
                         " rows were fitted over the 3 nearest rows, and onsets are coarse");
  }
  const auto [tmin_it, tmax_it] = std::minmax_element(curve.temperature_K.begin(), curve.temperature_K.end());
  const double lo = *tmin_it + o.skip_start_K, hi = *tmax_it;

  // Tg first: crystallisation happens in the supercooled liquid above it, and a broad relaxation
  // exotherm below Tg must not pass for crystallisation.
  if (o.find_glass_transition)
    r.tg = o.tg_window ? find_glass_transition(s, o.tg_window->low_K, o.tg_window->high_K, true, o)
                       : find_glass_transition(s, lo, hi, false, o);
  // The user said where Tg is: finding none there is a doubt about the window or the scan, and it
  // must reach the reader, not only the constructions.
  if (o.find_glass_transition && o.tg_window && !r.tg.found)
    r.warnings.push_back("no glass-transition step found within the given Tg window, " + kelvin(o.tg_window->low_K) +
                         " - " + kelvin(o.tg_window->high_K) + ": " + r.tg.message);
  const double above_tg = r.tg.found ? r.tg.liquid_baseline.low_K - o.smoothing_K : lo;
  std::string cut;  // why the scan seems to end inside an event
  if (o.find_crystallisation) {
    // Metallic glasses often crystallise in steps: Tx is the onset of the first exotherm.
    std::string why;
    r.exotherms = o.tx_window
                      ? find_peaks(s, +1, o.tx_window->low_K, o.tx_window->high_K, o.max_exotherms, o, cut, &why)
                      : find_peaks(s, +1, above_tg, hi, o.max_exotherms, o, cut);
    // As with the Tg window: the user said where Tx is, and nothing there is a doubt to show.
    // (A heating that ends before the window, a first heating stopped above Tg, has nothing there.)
    if (o.tx_window && r.exotherms.empty() && hi > o.tx_window->low_K)
      r.warnings.push_back("no crystallisation exotherm found within the given Tx window, " +
                           kelvin(o.tx_window->low_K) + " - " + kelvin(o.tx_window->high_K) + ": " +
                           (why.empty() ? std::string("the window is too narrow") : why));
    for (const Peak& x : r.exotherms)
      if (!x.message.empty()) r.warnings.push_back(x.message);
    if (!r.exotherms.empty()) r.crystallisation = r.exotherms.front();
    else
      r.crystallisation.message = !cut.empty() ? cut : !why.empty() ? why : "no exotherm above Tg";
  }
  if (o.find_melting) {
    const double above = r.exotherms.empty() ? above_tg : r.exotherms.back().end_K;
    r.melting = find_peaks(s, -1, above, hi, o.max_melting_peaks, o, cut);
    for (const Peak& m : r.melting)
      if (!m.message.empty()) r.warnings.push_back(m.message);
  }
  // A scan that stops inside an event: what is reported near its end cannot be right, and a user
  // reading "no exotherm" would not guess why.
  if (!cut.empty()) r.warnings.push_back(cut);
  return r;
}

}  // namespace mgscope

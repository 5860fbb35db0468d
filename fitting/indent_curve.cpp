// Segment detection and the sanity checks every indentation analysis relies on.
#include "fitting/indent_curve.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "fitting/base/error.hpp"
#include "fitting/base/isolated_spikes.hpp"
#include "fitting/base/summary.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

namespace {

std::size_t first_index_at_or_after(const IndentCurve& c, std::size_t from, double t) {
  std::size_t i = from;
  while (i < c.size() && c.time_s[i] < t) ++i;
  return i;
}

// The load's noise sd from its second differences: for white noise their variance is 6 sd^2,
// while a ramp or a plateau adds nothing, so the few corners between segments do not count
// (median absolute value, 0.6745 sd for a Gaussian). 0 when there are too few rows to say.
double load_noise_sd_mN(const IndentCurve& c, std::size_t from) {
  std::vector<double> d2;
  for (std::size_t i = from + 1; i + 1 < c.size(); ++i)
    d2.push_back(std::abs(c.load_mN[i + 1] - 2 * c.load_mN[i] + c.load_mN[i - 1]));
  if (d2.size() < 20) return 0;
  const auto mid = d2.begin() + static_cast<std::ptrdiff_t>(d2.size() / 2);
  std::nth_element(d2.begin(), mid, d2.end());
  return *mid / 0.6745 / std::sqrt(6.0);
}

// The lowest load a hold row may have, and the lowest its first and last rows may have. Without
// noise both are the tolerance below the maximum load. With load noise the maximum is itself a
// noise excursion (about 4 sd above the plateau over a thousand rows) and a band of 0.2 % can be
// narrower than the noise: a synthetic hold with 0.02 mN of noise on 50 mN (0.04 %) was cut at its
// first dip, 20 s of 120 found and fitted without a word. So the floor is at most the plateau's
// level (the median of the loads within 12 sd of the maximum) less 6 sd, below which a Gaussian row
// falls once in a billion; and the hold's ends are trimmed to rows within 3 sd of the level, so
// that a loading or unloading row within 6 sd (at 0.2 mN of noise, a row 1 mN below the plateau)
// does not start or end it: one such row at the start added a spurious third Kelvin unit.
struct HoldFloor {
  double inside_mN, ends_mN;
};

HoldFloor hold_floor(const IndentCurve& c, std::size_t approach_end, double p_max, double tolerance) {
  const double by_tolerance = p_max * (1 - tolerance);
  const double sd = load_noise_sd_mN(c, approach_end);
  if (!(6 * sd > p_max * tolerance)) return {by_tolerance, by_tolerance};
  std::vector<double> top;
  for (std::size_t i = approach_end; i < c.size(); ++i)
    if (c.load_mN[i] >= p_max - 12 * sd) top.push_back(c.load_mN[i]);
  const auto mid = top.begin() + static_cast<std::ptrdiff_t>(top.size() / 2);
  std::nth_element(top.begin(), mid, top.end());
  return {std::min(by_tolerance, *mid - 6 * sd), std::min(by_tolerance, *mid - 3 * sd)};
}

// The first row of unloading after the band at the maximum load that ends at `band_end`: where the
// load starts to fall at about the unloading rate. A hold whose load relaxes slowly leaves the band
// long before that: with 0.5 % of relaxation over a 120 s hold the band kept 46 s (1/mu0 25-47 %
// low), with 2 % 11.8 s, and hardness took h_max where the band ended (H up to 4 % high). The
// unloading rate R is measured over the first run of rows between 80 % and 20 % of the maximum load
// (a NanoTest drift hold at 10 % lies below it); walking back from that run, a row belongs to the
// unloading while the load falls at over R/10 over the next w rows (a hold relaxing by a few % falls
// at about a thousandth of R; an unloading that starts gently still passes R/10 within a row or two),
// w large enough that the load's noise moves that fall by under a sixth of the threshold. Without
// such a run (no unloading, or too few rows), the band's end stands. The walk goes back past the
// band's end too, down to `earliest` (the row after the maximum): an unloading whose steps are under
// the band (0.25 mN a row against 0.6 mN at 300 mN) had its first rows taken for the hold, and P_max
// and h_max from the unloading (H 0.1 % low, noiseless).
std::size_t unloading_start(const IndentCurve& c, std::size_t band_end, std::size_t earliest, double p_max,
                            double load_sd) {
  const std::size_t n = c.size();
  std::size_t a = band_end;
  while (a < n && c.load_mN[a] >= 0.8 * p_max) ++a;
  std::size_t b = a;
  while (b + 1 < n && c.load_mN[b + 1] > 0.2 * p_max && c.load_mN[b + 1] < 0.8 * p_max) ++b;
  if (a >= n || b <= a || !(c.time_s[b] > c.time_s[a])) return band_end;
  const double rate = (c.load_mN[a] - c.load_mN[b]) / (c.time_s[b] - c.time_s[a]);  // mN/s, > 0 unloading
  const double dt = (c.time_s[b] - c.time_s[a]) / static_cast<double>(b - a);
  if (!(rate > 0) || !(dt > 0)) return band_end;
  constexpr double kShare = 0.1;  // of the unloading rate: faster is unloading
  const double w_real = std::ceil(6 * std::sqrt(2.0) * load_sd / (kShare * rate * dt));
  const std::size_t w = static_cast<std::size_t>(std::clamp(w_real, 1.0, 20.0));
  const auto falls_fast = [&](std::size_t j) {
    return c.load_mN[j] - c.load_mN[j + w] > kShare * rate * (c.time_s[j + w] - c.time_s[j]);
  };
  if (a < band_end + w || !falls_fast(a - w)) return band_end;
  std::size_t j = a - w;
  // The first window falling fast may start up to w rows before the first unloading row.
  while (j + w > earliest && j > 0 && falls_fast(j - 1)) --j;
  // The first row falling fast over the next w rows has floor(kShare w) + 1 unloading steps in them.
  const auto after = static_cast<std::size_t>(std::floor(kShare * static_cast<double>(w)));
  return std::max(earliest, std::min(a, j + w - after));
}

// The load's fall through the hold as a fraction of its start, from a straight line fitted to the
// hold's loads against time, which the load's noise barely moves.
double hold_load_drop(const IndentCurve& c, std::size_t begin, std::size_t end) {
  if (end < begin + 6) return 0;
  double st = 0, sp = 0, stt = 0, stp = 0;
  const double t0 = c.time_s[begin], n = static_cast<double>(end - begin);
  for (std::size_t i = begin; i < end; ++i) {
    const double t = c.time_s[i] - t0, p = c.load_mN[i];
    st += t, sp += p, stt += t * t, stp += t * p;
  }
  const double var = stt - st * st / n;
  if (!(var > 0)) return 0;
  const double slope = (stp - st * sp / n) / var, first = (sp - slope * st) / n;
  return first > 0 ? -slope * (c.time_s[end - 1] - t0) / first : 0;
}

}  // namespace

std::string row_place(const IndentCurve& c, std::size_t row) {
  return row < c.line.size() ? "line " + std::to_string(c.line[row]) : "data row " + std::to_string(row + 1);
}

void refuse_isolated_glitches(const IndentCurve& c, std::size_t from) {
  if (c.size() < from + 5) return;
  struct Column {
    const std::vector<double>& x;
    const char* name;
    const char* unit;
  };
  for (const Column& col : {Column{c.depth_nm, "depth", "nm"}, Column{c.load_mN, "load", "mN"}}) {
    // The range between the 1st and 99th percentiles, which one glitch in a hundred rows does not
    // widen.
    const double range = quantile_range(col.x, from, c.size(), 0.01);
    for (std::size_t i = from + 1; i + 1 < c.size(); ++i) {
      const double jump = isolated_jump(col.x, i, from, c.size());
      if (!(jump > kGlitchRangeShare * range) ||
          !(jump > kGlitchStepFactor * local_median_step(col.x, i, from, c.size(), 8)))
        continue;
      fail_input(c.source, row_place(c, i) + ": " + col.name + " " + number_text(col.x[i], 6) + " " + col.unit +
                               " leaves both its neighbours (" + number_text(col.x[i - 1], 6) + " and " +
                               number_text(col.x[i + 1], 6) + " " + col.unit + ") by " + number_text(jump, 4) + " " +
                               col.unit + " and comes back, over " + number_text(kGlitchStepFactor, 3) +
                               " times the curve's steps around it and " + number_text(100 * kGlitchRangeShare, 3) +
                               " % of its range: an isolated glitch in "
                               "the recording (a garbled number), not a pop-in; correct or delete the row");
    }
  }
}

std::string SegmentOptions::check() const {
  if (!(hold_load_tolerance > 0 && hold_load_tolerance <= 0.5))
    return "--hold-tolerance (SegmentOptions.hold_load_tolerance) must lie in (0, 0.5]: a fraction of the maximum load";
  if (hold_start_s && !(*hold_start_s >= 0 && std::isfinite(*hold_start_s)))
    return "--hold-start-s (SegmentOptions.hold_start_s) must be a time >= 0 s";
  if (hold_end_s && !(*hold_end_s > 0 && std::isfinite(*hold_end_s)))
    return "--hold-end-s (SegmentOptions.hold_end_s) must be a time > 0 s";
  if (hold_start_s && hold_end_s && !(*hold_end_s > *hold_start_s))
    return "--hold-end-s must come after --hold-start-s";
  return "";
}

IndentSegments find_segments(const IndentCurve& c, const SegmentOptions& options) {
  require_valid(options);
  const std::size_t n = c.size();
  if (n == 0) fail_input(c.source, "no data rows");
  if (c.depth_nm.size() != n || c.load_mN.size() != n) fail_input(c.source, "columns of unequal length");
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(c.time_s[i]) || !std::isfinite(c.depth_nm[i]) || !std::isfinite(c.load_mN[i]))
      fail_input(c.source, row_place(c, i) + " holds NaN or infinity");
  }
  IndentSegments s;
  s.size = n;
  while (s.approach_end < n && (c.time_s[s.approach_end] <= 0 || c.depth_nm[s.approach_end] < 0))
    ++s.approach_end;
  if (s.approach_end >= n) fail_input(c.source, "only approach rows (time <= 0 or negative depth), no contact");
  for (std::size_t i = s.approach_end + 1; i < n; ++i) {
    if (c.time_s[i] < c.time_s[i - 1])  // equal stamps occur in real NanoTest exports
      fail_input(c.source, "time decreases at " + row_place(c, i) + " (" + number_text(c.time_s[i - 1], 10) +
                               " s then " + number_text(c.time_s[i], 10) + " s)");
  }
  refuse_isolated_glitches(c, s.approach_end);
  const auto first = c.load_mN.begin() + static_cast<std::ptrdiff_t>(s.approach_end);
  s.max_load_index = static_cast<std::size_t>(std::max_element(first, c.load_mN.end()) - c.load_mN.begin());
  const double p_max = c.load_mN[s.max_load_index];
  // Loads written negative (an export counting compression as negative) left only the approach's
  // noise above zero: "too few unloading points" named neither the sign nor the column.
  const double p_min = *std::min_element(first, c.load_mN.end());
  if (!(p_max > 0) || -p_min > 10 * p_max)
    fail_input(c.source, "the load never rises above zero (it runs from " + number_text(p_min, 4) + " to " +
                             number_text(p_max, 4) +
                             " mN after the approach): a load written negative? The load "
                             "must rise to its maximum and fall back (negate the load column)");

  const HoldFloor floor = hold_floor(c, s.approach_end, p_max, options.hold_load_tolerance);
  s.hold_begin = s.max_load_index;
  while (s.hold_begin > s.approach_end && c.load_mN[s.hold_begin - 1] >= floor.inside_mN) --s.hold_begin;
  s.hold_end = s.max_load_index + 1;
  while (s.hold_end < n && c.load_mN[s.hold_end] >= floor.inside_mN) ++s.hold_end;
  while (s.hold_begin < s.max_load_index && c.load_mN[s.hold_begin] < floor.ends_mN) ++s.hold_begin;
  while (s.hold_end > s.max_load_index + 1 && c.load_mN[s.hold_end - 1] < floor.ends_mN) --s.hold_end;
  s.hold_end = unloading_start(c, s.hold_end, s.max_load_index + 1, p_max, load_noise_sd_mN(c, s.approach_end));

  if (options.hold_start_s) s.hold_begin = first_index_at_or_after(c, s.approach_end, *options.hold_start_s);
  if (options.hold_end_s) {
    s.hold_end = first_index_at_or_after(c, s.approach_end, *options.hold_end_s);
    if (s.hold_end < n && c.time_s[s.hold_end] == *options.hold_end_s) ++s.hold_end;
  }
  if (s.hold_begin > s.hold_end || s.hold_begin >= n)
    fail_input(c.source, "hold start after hold end or after the last row");
  s.hold_load_drop = hold_load_drop(c, s.hold_begin, s.hold_end);
  if (s.hold_load_drop > kHoldRelaxWarn)
    s.warnings.push_back(
        "the load relaxes by " + number_text(100 * s.hold_load_drop, 3) + " % during the hold (" +
        number_text(c.load_mN[s.hold_begin], 5) + " to " + number_text(c.load_mN[s.hold_end - 1], 5) + " mN over " +
        number_text(c.time_s[s.hold_end - 1] - c.time_s[s.hold_begin], 4) +
        " s): the hold is not at constant load, so the creep is that of a falling load (P0 is its mean) and "
        "Pmax is the load where unloading starts");
  return s;
}

}  // namespace mgscope

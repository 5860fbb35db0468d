// Common field grid, neighbour differences and trapezoids for the Maxwell-relation -dSm.
#include "magnetics/entropy_change.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "fitting/base/error.hpp"
#include "fitting/base/statistics.hpp"
#include "fitting/base/summary.hpp"
#include "fitting/base/text_file.hpp"
#include "magnetics/first_interval.hpp"

namespace mgscope {

double interpolate_linear(const std::vector<double>& x, const std::vector<double>& y, double xq) {
  // Unequal lengths made the binary search below read past the end of y (garbage -dSm of 1e256).
  if (x.size() != y.size() || x.empty())
    throw std::invalid_argument("interpolate_linear: " + std::to_string(x.size()) + " x values and " +
                                std::to_string(y.size()) + " y values; they must be as many, and at least one");
  if (xq <= x.front()) return y.front();
  if (xq >= x.back()) return y.back();
  const std::size_t j = static_cast<std::size_t>(std::upper_bound(x.begin(), x.end(), xq) - x.begin());
  const double f = (xq - x[j - 1]) / (x[j] - x[j - 1]);
  return y[j - 1] + f * (y[j] - y[j - 1]);
}

namespace {

// A grid of more fields than this is refused. The trapezoids already run over every measured
// field, so a grid finer than the data adds interpolated columns, not information. 10000 fields
// is a step of 5 Oe over 5 T, 14 Oe over a 14 T magnet: a hundred times the tens to hundreds of
// fields an isotherm is measured at, and about the wobble of a QD magnet's set-point. Each grid
// field costs a column of -dSm and n(T, H) and the figures of merit the callers compute at every
// field (0.13 ms per isotherm pair, measured): 10000 fields of 100 isotherms take two minutes.
constexpr double kMaxGridFields = 1e4;

// Every isotherm has one magnetisation per field and a real temperature: tidy() and the
// interpolation index both arrays by the same position, and NaN temperatures cannot be sorted.
void check_curves(const std::vector<MhCurve>& curves, const std::string& source) {
  for (std::size_t i = 0; i < curves.size(); ++i) {
    const MhCurve& c = curves[i];
    const std::string which = "isotherm " + std::to_string(i + 1) + " of " + std::to_string(curves.size());
    if (!std::isfinite(c.temperature_K))
      fail_input(source, which + ": temperature " + number_text(c.temperature_K, 6) + " K is not a finite number");
    // The readers refuse such a row (qd_reader.cpp); isotherms in degC gave -dSm, status Success.
    if (!(c.temperature_K > 0))
      fail_input(source, which + ": temperature " + number_text(c.temperature_K, 6) +
                             " K is at or below 0 K; temperatures are above 0 K (kelvin, not degC?)");
    if (c.field_Oe.size() != c.magnetization.size())
      fail_input(source, which + " (" + number_text(c.temperature_K, 6) + " K): " + std::to_string(c.field_Oe.size()) +
                             " fields but " + std::to_string(c.magnetization.size()) +
                             " magnetisation values; every field needs its magnetisation");
  }
}

// Sorted by field, repeated fields averaged, non-finite points dropped.
void tidy(MhCurve& c) {
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < c.field_Oe.size(); ++i)
    if (std::isfinite(c.field_Oe[i]) && std::isfinite(c.magnetization[i])) idx.push_back(i);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return c.field_Oe[a] < c.field_Oe[b]; });
  MhCurve out;
  out.temperature_K = c.temperature_K;
  for (std::size_t k = 0; k < idx.size();) {
    std::size_t e = k;
    double sh = 0, sm = 0;
    while (e < idx.size() && c.field_Oe[idx[e]] == c.field_Oe[idx[k]])
      sh += c.field_Oe[idx[e]], sm += c.magnetization[idx[e]], ++e;
    out.field_Oe.push_back(sh / static_cast<double>(e - k));
    out.magnetization.push_back(sm / static_cast<double>(e - k));
    k = e;
  }
  c = std::move(out);
}

// The grid and every measured field strictly inside it, sorted, without repeats (fields closer
// than 1e-9 of the grid span are one).
std::vector<double> integration_fields(const std::vector<MhCurve>& curves, const std::vector<double>& grid) {
  std::vector<double> f = grid;
  for (const auto& c : curves)
    for (double h : c.field_Oe)
      if (h > grid.front() && h < grid.back()) f.push_back(h);
  std::sort(f.begin(), f.end());
  const double tol = 1e-9 * (grid.back() - grid.front());
  std::vector<double> out;
  for (double h : f) {
    const bool is_grid = std::binary_search(grid.begin(), grid.end(), h);
    if (!out.empty() && h - out.back() <= tol) {
      if (is_grid) out.back() = h;  // a grid field wins over a measured one a hair away
      continue;
    }
    out.push_back(h);
  }
  return out;
}

// `v` > 0 rounded up to 3 significant digits: a smallest step to suggest that is not refused.
double rounded_up(double v) {
  const double unit = std::pow(10.0, std::floor(std::log10(v)) - 2);
  return std::ceil(v / unit) * unit;
}

// The grid step: the option's, else (upper - lower) / (median number of points in range - 1).
double grid_step_Oe(const std::vector<MhCurve>& curves, const EntropyOptions& o, double lower, double upper) {
  if (o.field_step_Oe) return *o.field_step_Oe;
  std::vector<double> counts;
  for (const auto& c : curves)
    counts.push_back(static_cast<double>(std::count_if(c.field_Oe.begin(), c.field_Oe.end(), [&](double h) {
      return h >= lower - 1e-9 && h <= upper + 1e-9;
    })));
  return (upper - lower) / std::max(1.0, median(counts) - 1);
}

// lower, lower + step, ... up to upper. A step beyond the range would report -dSm at fields
// never measured (1e9 Oe gave "-dSm at 100000 T"); a tiny one a grid filling the memory (1e-3 Oe
// over 5 T: 5e7 fields, 24 GB). Both are refused, naming the option, the step and the range.
std::vector<double> field_grid(const std::vector<MhCurve>& curves, const EntropyOptions& o, double lower, double upper,
                               const std::string& source, std::vector<std::string>* warnings) {
  const double step = grid_step_Oe(curves, o, lower, upper), range = upper - lower;
  const std::string option = "--field-step-Oe (EntropyOptions.field_step_Oe)";
  const std::string what = (o.field_step_Oe ? option : "the default grid step (from the points per isotherm)") + " " +
                           number_text(step, 6) + " Oe";
  const std::string where = "the common field range of the isotherms, " + number_text(lower, 6) + " to " +
                            number_text(upper, 6) + " Oe";
  if (!(step > 0)) fail_input(source, "field step must be > 0 Oe");
  if (step > range * (1 + 1e-6))
    fail_input(source, what + " is larger than " + where + " (" + number_text(range, 6) +
                           " Oe): the grid would reach beyond the data");
  double intervals = std::max(1.0, std::floor(range / step + 1e-6));  // the 1e-6: a step that divides
  // A top field a hair under a step (real MPMS magnets stop at 49999.x Oe for 5 T) is that step,
  // taken at the field measured: 1 % of the step, at most the magnet's ~10 Oe wobble, is allowed.
  const double top_tolerance_Oe = std::min(0.01 * step, 10.0);
  bool top_measured = false;
  if (range - intervals * step >= step - top_tolerance_Oe) intervals += 1, top_measured = true;
  if (intervals + 1 > kMaxGridFields)
    fail_input(source, what + " over " + where + " makes a grid of " + number_text(intervals + 1, 6) +
                           " fields, more than " + number_text(kMaxGridFields, 6) + ": give " +
                           (o.field_step_Oe ? "a step" : option) + " of at least " +
                           number_text(rounded_up(range / (kMaxGridFields - 1)), 3) + " Oe");
  std::vector<double> grid;
  const int n = static_cast<int>(intervals);  // at most kMaxGridFields - 1: no int overflow
  for (int k = 0; k <= n; ++k) grid.push_back(lower + step * k);
  if (top_measured) grid.back() = upper;
  // Fields above the last step are measured but reported nowhere: said, with the numbers.
  if (warnings && upper - grid.back() > top_tolerance_Oe)
    warnings->push_back("the field grid (step " + number_text(step, 6) + " Oe) stops at " +
                        number_text(grid.back(), 6) + " Oe, below the common top field " + number_text(upper, 6) +
                        " Oe: -dSm above " + number_text(grid.back() * 1e-4, 4) + " T is not reported");
  return grid;
}

// The tabulated peak of column k: the midpoint of the largest -dSm, or none (size()) when empty.
std::size_t tabulated_peak(const EntropyChange& r, std::size_t k) {
  std::size_t peak = r.minus_dSm.size();
  for (std::size_t i = 0; i < r.minus_dSm.size(); ++i)
    if (peak == r.minus_dSm.size() || r.minus_dSm[i][k] > r.minus_dSm[peak][k]) peak = i;
  return peak;
}

// The signed error of the tabulated peak from the isotherm spacing. The neighbour difference is
// the true -dSm averaged over the pair's temperatures. A peak with a cusp (linear on each side,
// slopes a and b) is tabulated low by (a + b) dT / 8, and its second difference there is
// D_p = 2 S_p - S_p-1 - S_p+1 = (3/4)(a + b) dT, beside it D_p/6: the error is D_p / 6. A rounded
// peak (a parabola: isotherms close enough to resolve it) has the same D everywhere and errs by
// D_p / 24. Between the two, the error is 0.19 D_p - 0.15 D_beside (exact at both ends), kept
// within D_p / 24 .. D_p / 6; D_p / 6 when the peak has fewer than two neighbours a side. Each value
// is first freed of its own expected first-interval error (a coarse first step sharpens the
// single-domain peak). At 3 K steps this read -6.0 % where the peak erred by -6.3 % (1 T) and
// -2.4 % for -2.3 % (5 T). 0 at an edge or beside a wide gap (no neighbours to judge by).
double spacing_error(const EntropyChange& r, std::size_t k, std::size_t peak) {
  const std::size_t n = r.minus_dSm.size();
  if (peak == 0 || peak + 1 >= n || r.wide_gap[peak - 1] || r.wide_gap[peak + 1]) return 0;
  const auto freed = [&](std::size_t i) { return r.minus_dSm[i][k] - r.first_interval_error[i]; };
  const auto second_difference = [&](std::size_t i) {
    return std::max(0.0, 2 * freed(i) - freed(i - 1) - freed(i + 1));
  };
  const double d_peak = second_difference(peak);
  if (peak < 2 || peak + 2 >= n || r.wide_gap[peak - 2] || r.wide_gap[peak + 2]) return -d_peak / 6;
  const double d_beside = 0.5 * (second_difference(peak - 1) + second_difference(peak + 1));
  return -std::clamp(0.19 * d_peak - 0.15 * d_beside, d_peak / 24, d_peak / 6);
}

// The midpoint where column k's true -dSm is expected to peak: the largest value once each is freed
// of its own expected first-interval error. It need not be the tabulated peak: below Tc a pair with
// a spontaneous moment errs high, a pair above Tc (M = 0 at H = 0) low, and where the true peak lies
// above Tc (critical exponents other than mean field put it there at high fields: Arrott-Noakes 3D
// Heisenberg peaks 0.5-1 K above Tc at 1-5 T) the tabulated maximum is a high-erring neighbour of it.
std::size_t freed_peak(const EntropyChange& r, std::size_t k) {
  std::size_t peak = r.minus_dSm.size();
  const auto freed = [&](std::size_t i) { return r.minus_dSm[i][k] - r.first_interval_error[i]; };
  for (std::size_t i = 0; i < r.minus_dSm.size(); ++i)
    if (peak == r.minus_dSm.size() || freed(i) > freed(peak)) peak = i;
  return peak;
}

// "1.2", "63", "110": |fraction| as a per cent to 2 significant digits, never in exponent form
// (a first step of 0.025 T misses -dSm by 110 %, which %g writes "1.1e+02").
std::string percent_magnitude(double fraction) {
  const double rounded = std::stod(number_text(100 * std::abs(fraction), 2));
  return rounded >= 100 ? number_text(rounded, 15) : number_text(rounded, 2);
}

// "+1.2 %", "-6.3 %": a fraction as a signed per cent, 2 significant digits.
std::string signed_percent(double fraction) { return (fraction >= 0 ? "+" : "-") + percent_magnitude(fraction) + " %"; }

// The doubts of every grid field's peak and, above the limit at the top field, the warning.
// "X % too high" or, for a first-order transition, "off by X %": the error models (a cusp averaged
// over the spacing, M rising as a power of H) describe a continuous transition; at a latent-heat
// spike they give the size of the doubt but not its sign (Bean-Rodbell eta = 2: "15 % too low" for
// a value 11 % too high).
std::string doubt_text(double doubt, bool first_order) {
  if (first_order) return "off by " + percent_magnitude(doubt) + " %";
  return percent_magnitude(doubt) + " % too " + (doubt > 0 ? "high" : "low");
}

// One warning for the fields below the top one whose peak doubt passes the limit: the field's own
// text when it is one, else their range and the largest and smallest doubt. A 0.025 T grid to 7 T
// doubts tens of low fields, and one text a field on every row of dSm.csv buried the rows.
std::string lower_fields_doubt(const EntropyChange& r, bool first_order) {
  std::vector<std::size_t> doubted;
  for (std::size_t k = 1; k + 1 < r.field_Oe.size(); ++k)
    if (!r.peak_doubt_field_warning[k].empty()) doubted.push_back(k);
  if (doubted.empty()) return "";
  if (doubted.size() == 1) return r.peak_doubt_field_warning[doubted.front()];
  const auto by_size = [&](std::size_t a, std::size_t b) {
    return std::abs(r.peak_doubt[a]) < std::abs(r.peak_doubt[b]);
  };
  const std::size_t worst = *std::max_element(doubted.begin(), doubted.end(), by_size);
  const std::size_t least = *std::min_element(doubted.begin(), doubted.end(), by_size);
  const bool all_low = std::all_of(doubted.begin(), doubted.end(), [&](std::size_t k) { return r.peak_doubt[k] < 0; });
  const bool all_high = std::all_of(doubted.begin(), doubted.end(), [&](std::size_t k) { return r.peak_doubt[k] > 0; });
  const std::string how = first_order || !(all_low || all_high) ? "off" : all_low ? "too low" : "too high";
  const auto tesla = [&](std::size_t k) { return number_text(r.field_Oe[k] * 1e-4, 4) + " T"; };
  const bool first_dominates = std::abs(r.first_interval_doubt[worst]) >= std::abs(r.spacing_doubt[worst]);
  return "-dSm may be " + how + " at the peaks of " + std::to_string(doubted.size()) + " of the " +
         std::to_string(r.field_Oe.size() - 2) + " fields below the top one (" + tesla(doubted.front()) + " to " +
         tesla(doubted.back()) + "; limit " + number_text(100 * kPeakDoubtLimit, 2) + " %): by " +
         percent_magnitude(r.peak_doubt[worst]) + " % at " + tesla(worst) + " down to " +
         percent_magnitude(r.peak_doubt[least]) + " % at " + tesla(least) + ", mostly from " +
         (first_dominates ? "the first field interval (measure isotherms with finer steps at low field)"
                          : "the isotherm spacing (measure isotherms closer together near the peak)") +
         (first_order ? "; the transition is first order, so the sign is not known" : "") +
         "; each field's doubt is in mce.json (entropy.merit_by_field)";
}

void add_peak_doubt(EntropyChange& r, double median_step_K, bool first_order) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  r.first_interval_doubt.assign(r.field_Oe.size(), nan);
  r.spacing_doubt.assign(r.field_Oe.size(), nan);
  r.peak_doubt.assign(r.field_Oe.size(), nan);
  for (std::size_t k = 1; k < r.field_Oe.size(); ++k) {
    const std::size_t peak = tabulated_peak(r, k);
    if (peak == r.minus_dSm.size() || !(r.minus_dSm[peak][k] > 0)) continue;
    // -dSm_max is a maximum over midpoints: its error is the tabulated maximum less the true one,
    // estimated at the freed peak (the same as the tabulated peak's own error when they coincide).
    const std::size_t true_peak = freed_peak(r, k);
    const double first = true_peak == peak ? r.first_interval_error[peak]
                                           : r.minus_dSm[peak][k] - (r.minus_dSm[true_peak][k] -
                                                                     r.first_interval_error[true_peak]);
    const double spacing = spacing_error(r, k, true_peak);
    r.first_interval_doubt[k] = first / r.minus_dSm[peak][k];
    r.spacing_doubt[k] = spacing / r.minus_dSm[peak][k];
    r.peak_doubt[k] = (first + spacing) / r.minus_dSm[peak][k];
  }
  // Every field, not only the top one: the doubt peaks at low fields (mean field, 0.19 T: -15 %).
  r.peak_doubt_field_warning.assign(r.field_Oe.size(), "");
  for (std::size_t k = 1; k < r.field_Oe.size(); ++k) {
    const std::size_t p = tabulated_peak(r, k);
    if (p == r.minus_dSm.size() || !(std::abs(r.peak_doubt[k]) > kPeakDoubtLimit)) continue;
    r.peak_doubt_field_warning[k] =
        "-dSm may be " + doubt_text(r.peak_doubt[k], first_order) + " at its " + number_text(r.field_Oe[k] * 1e-4, 4) +
        " T peak (" + number_text(r.temperature_mid_K[p], 6) + " K): first field interval " +
        signed_percent(r.first_interval_doubt[k]) + ", isotherm spacing " + signed_percent(r.spacing_doubt[k]) +
        " (limit " + number_text(100 * kPeakDoubtLimit, 2) + " %)" +
        (first_order ? "; the transition is first order, so the sign is not known" : "");
  }
  r.lower_fields_doubt = lower_fields_doubt(r, first_order);
  const double top = r.peak_doubt.back(), first = r.first_interval_doubt.back(), spacing = r.spacing_doubt.back();
  const std::size_t peak = tabulated_peak(r, r.field_Oe.size() - 1);
  if (peak == r.minus_dSm.size() || !std::isfinite(top)) return;
  std::ostringstream m;
  if (!(std::abs(top) > kPeakDoubtLimit)) {
    if (!r.first_interval_unjudged[peak]) return;
    // The two parts may cancel (first interval +8.6 %, spacing -10.7 %: a -10.4 % error read -2.1 %).
    m << "-dSm at its " << number_text(r.field_Oe.back() * 1e-4, 6) << " T peak ("
      << number_text(r.temperature_mid_K[peak], 6) << " K) cannot be judged: its isotherms have fewer than two "
      << "measured fields above the first field interval (" << number_text(r.field_Oe.front(), 6) << " to "
      << number_text(r.first_interval_end_Oe[peak], 6) << " Oe), too few to fit how M rises across it; the "
      << "estimates, first interval " << signed_percent(first) << " and isotherm spacing ("
      << number_text(median_step_K, 3) << " K) " << signed_percent(spacing)
      << ", may not cancel as they seem to: measure isotherms with finer steps at low field";
    r.peak_doubt_warning = m.str();
    r.warnings.push_back(r.peak_doubt_warning);
    return;
  }
  m << "-dSm may be " << doubt_text(top, first_order) << " at its " << number_text(r.field_Oe.back() * 1e-4, 6)
    << " T peak (" << number_text(r.temperature_mid_K[peak], 6) << " K): the first field interval ("
    << number_text(r.field_Oe.front(), 6) << " to " << number_text(r.first_interval_end_Oe[peak], 6) << " Oe) gives "
    << signed_percent(first) << ", the isotherm spacing (" << number_text(median_step_K, 3) << " K) "
    << signed_percent(spacing) << ". ";
  if (first_order)
    m << "The transition is first order (Arrott): these estimates assume a continuous one, so the size of the "
         "doubt is given, not its sign. ";
  if (std::abs(first) >= std::abs(spacing))
    m << "dM/dT changes most near H = 0 (a spontaneous moment at H = 0, or a demagnetised sample's M rising from 0 "
         "to technical saturation; --demag does not help: the same steps on H - N M err alike): measure isotherms "
         "with finer steps at low field (halving the first step lowers this by a third to a half)";
  else
    m << "-dSm peaks sharply at Tc and each value is its average over the two isotherms' temperatures: measure "
         "isotherms closer together near Tc";
  r.peak_doubt_warning = m.str();
  r.warnings.push_back(r.peak_doubt_warning);
}

}  // namespace

std::string EntropyOptions::check() const {
  if (field_step_Oe && !(*field_step_Oe > 0 && std::isfinite(*field_step_Oe)))
    return "--field-step-Oe (EntropyOptions.field_step_Oe) must be a finite number > 0 Oe, got " +
           number_text(*field_step_Oe, 6);
  if (!(zero_field_tolerance_Oe >= 0 && std::isfinite(zero_field_tolerance_Oe)))
    return "--zero-field-tolerance-Oe (EntropyOptions.zero_field_tolerance_Oe) must be a finite number >= 0 Oe, got " +
           number_text(zero_field_tolerance_Oe, 6);
  if (!(duplicate_tolerance_K >= 0 && std::isfinite(duplicate_tolerance_K)))
    return "EntropyOptions.duplicate_tolerance_K must be a finite number >= 0 K, got " +
           number_text(duplicate_tolerance_K, 6);
  return "";
}

EntropyChange compute_entropy_change(std::vector<MhCurve> curves, const EntropyOptions& o, const std::string& source) {
  require_valid(o);
  check_curves(curves, source);
  EntropyChange r;
  for (auto& c : curves) tidy(c);
  curves.erase(std::remove_if(curves.begin(), curves.end(), [](const MhCurve& c) { return c.field_Oe.size() < 2; }),
               curves.end());
  if (curves.size() < 2)
    fail_input(source, "-dSm needs at least two isotherms with two or more points each; found " +
                           std::to_string(curves.size()));
  if (!std::is_sorted(curves.begin(), curves.end(),
                      [](const MhCurve& a, const MhCurve& b) { return a.temperature_K < b.temperature_K; }))
    r.warnings.push_back("isotherms are not in temperature order; sorted");
  std::stable_sort(curves.begin(), curves.end(),
                   [](const MhCurve& a, const MhCurve& b) { return a.temperature_K < b.temperature_K; });
  for (std::size_t i = 1; i < curves.size(); ++i)
    if (curves[i].temperature_K - curves[i - 1].temperature_K < o.duplicate_tolerance_K) {
      std::ostringstream m;
      m << "two isotherms at the same temperature (" << curves[i - 1].temperature_K << " K and "
        << curves[i].temperature_K << " K): -dSm would divide by ~0";
      fail_input(source, m.str());
    }

  std::vector<double> steps_K;
  for (std::size_t i = 1; i < curves.size(); ++i)
    steps_K.push_back(curves[i].temperature_K - curves[i - 1].temperature_K);
  const double median_step_K = median(steps_K);
  r.midpoint_warnings.resize(steps_K.size());
  for (std::size_t i = 1; i < curves.size(); ++i)
    if (steps_K[i - 1] > 3 * median_step_K) {
      std::ostringstream m;
      m << "gap between the isotherms at " << curves[i - 1].temperature_K << " K and " << curves[i].temperature_K
        << " K (" << steps_K[i - 1] << " K, more than 3x the median step " << median_step_K
        << " K): -dSm at " << 0.5 * (curves[i - 1].temperature_K + curves[i].temperature_K)
        << " K averages over the gap; the figure does not draw across it";
      r.warnings.push_back(m.str());
      r.midpoint_warnings[i - 1].push_back(m.str());
    }

  double lower = -1e300, upper = 1e300;
  bool all_near_zero = true;
  for (const auto& c : curves) {
    all_near_zero = all_near_zero && c.field_Oe.front() <= o.zero_field_tolerance_Oe;
    lower = std::max(lower, c.field_Oe.front());
    upper = std::min(upper, c.field_Oe.back());
  }
  if (all_near_zero) {
    for (auto& c : curves)
      if (c.field_Oe.front() > 0) {
        c.field_Oe.insert(c.field_Oe.begin(), 0.0);
        c.magnetization.insert(c.magnetization.begin(), 0.0);
        r.zero_point_added = true;
      }
    lower = 0;
  } else {
    std::ostringstream m;
    m << "an isotherm starts above " << o.zero_field_tolerance_Oe << " Oe: -dSm is integrated from " << lower
      << " Oe, not from 0";
    r.warnings.push_back(m.str());
  }
  if (r.zero_point_added)
    r.warnings.push_back("the point H = 0, M = 0 was added to isotherms starting near zero field");
  if (!(upper > lower)) fail_input(source, "the isotherms have no common field range");

  r.field_Oe = field_grid(curves, o, lower, upper, source, &r.warnings);
  // The common range ends at the lowest top field: one short isotherm cuts every -dSm there. Only
  // the pairs beside it lack the higher fields, but a column with a hole at one temperature would
  // misplace the peak and its width, so the cut stays and is said, naming the isotherm.
  {
    std::vector<double> tops;
    for (const auto& c : curves) tops.push_back(c.field_Oe.back());
    const double typical_top = median(tops);
    std::ostringstream m;
    int short_ones = 0;
    for (const auto& c : curves)
      if (c.field_Oe.back() < 0.98 * typical_top) {
        m << (short_ones++ ? ", " : "") << c.temperature_K << " K (to " << c.field_Oe.back() << " Oe)";
      }
    if (short_ones > 0)
      r.warnings.push_back(std::to_string(short_ones) + " isotherm(s) stop below the others' top field " +
                           number_text(typical_top, 6) + " Oe: " + m.str() + "; every -dSm is cut at " +
                           number_text(upper, 6) + " Oe (" + number_text(upper * 1e-4, 4) +
                           " T); measure it to the full field or leave it out");
  }

  for (const auto& c : curves) r.isotherm_T_K.push_back(c.temperature_K);
  // The trapezoids run over every measured field as well as the grid (values are reported on the
  // grid only): a grid coarser than the data (quasi-logarithmic steps, 28 Oe near zero) would
  // otherwise cut the curvature of M(H) and bias -dSm by several per cent.
  const std::vector<double> fine = integration_fields(curves, r.field_Oe);
  std::vector<bool> on_grid(fine.size(), false);
  for (std::size_t j = 0, k = 0; j < fine.size() && k < r.field_Oe.size(); ++j)
    if (fine[j] == r.field_Oe[k]) on_grid[j] = true, ++k;
  std::vector<std::vector<double>> m_fine(curves.size());
  for (std::size_t i = 0; i < curves.size(); ++i)
    for (double h : fine) m_fine[i].push_back(interpolate_linear(curves[i].field_Oe, curves[i].magnetization, h));
  std::vector<double> excess_Oe;  // per isotherm, its first interval's trapezoid less the true integral of M dH
  std::vector<bool> judged;       // and whether that estimate can be judged (first_interval_judged)
  for (const auto& c : curves) {
    excess_Oe.push_back(first_interval_excess(c, lower, upper));
    judged.push_back(first_interval_judged(c, lower, upper));
  }
  for (std::size_t i = 0; i + 1 < curves.size(); ++i) {
    const double dT = curves[i + 1].temperature_K - curves[i].temperature_K;
    r.temperature_mid_K.push_back(0.5 * (curves[i].temperature_K + curves[i + 1].temperature_K));
    r.wide_gap.push_back(curves[i + 1].temperature_K - curves[i].temperature_K > 3 * median_step_K);
    std::vector<double> s;
    s.reserve(r.field_Oe.size());
    double acc = 0;
    s.push_back(0.0);
    for (std::size_t j = 1; j < fine.size(); ++j) {
      const double d0 = (m_fine[i + 1][j - 1] - m_fine[i][j - 1]) / dT, d1 = (m_fine[i + 1][j] - m_fine[i][j]) / dT;
      // mu0 dH [T] = 1e-4 dH [Oe]; (emu/g) T / K = J/(kg K).
      acc -= 0.5 * (d0 + d1) * (fine[j] - fine[j - 1]) * 1e-4;
      if (on_grid[j]) s.push_back(acc);
    }
    r.minus_dSm.push_back(std::move(s));
    // The pair's own first interval: its isotherms are interpolated linearly from field_Oe[0] to
    // their first measured field above it (the union of all isotherms' fields is finer than each).
    const double end_Oe =
        std::max(first_field_above(curves[i], lower, upper), first_field_above(curves[i + 1], lower, upper));
    const auto dm_dT = [&](double h) {
      return (interpolate_linear(curves[i + 1].field_Oe, curves[i + 1].magnetization, h) -
              interpolate_linear(curves[i].field_Oe, curves[i].magnetization, h)) / dT;
    };
    r.first_interval_bound.push_back(0.5 * std::abs(dm_dT(end_Oe) - dm_dT(lower)) * (end_Oe - lower) * 1e-4);
    // The trapezoids are linear in each isotherm, so the pair's error is the difference of the
    // isotherms' own (first_interval.hpp); -dSm = -integral of dM/dT.
    r.first_interval_error.push_back(-(excess_Oe[i + 1] - excess_Oe[i]) / dT * 1e-4);
    r.first_interval_end_Oe.push_back(end_Oe);
    r.first_interval_unjudged.push_back(!judged[i] || !judged[i + 1]);
  }
  add_peak_doubt(r, median_step_K, o.first_order);
  return r;
}

}  // namespace mgscope

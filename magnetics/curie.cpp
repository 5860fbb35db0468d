// Tc as the minimum of a smoothed dM/dT; a monotone curve without an interior minimum is a
// paramagnet (or a transition outside the measured range) and gets no number.
#include "magnetics/curie.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>

#include "fitting/base/statistics.hpp"
#include "fitting/base/text_file.hpp"

namespace mgscope {

namespace {

// The local quadratic over +-k points around each point (shifted at the ends), as linear weights
// on the window's values: value[i] = sum_j value_weights[i][j] y[first[i] + j], and the same for
// the slope. dM/dT and the fitted M are linear in M, so the noise resamples below reuse them.
struct LocalQuadratic {
  std::vector<int> first;
  std::vector<std::vector<double>> value_weights, slope_weights;
};

LocalQuadratic local_quadratic(const std::vector<double>& t, int k) {
  const int n = static_cast<int>(t.size());
  const int w = std::min(2 * k + 1, n);
  LocalQuadratic q;
  for (int i = 0; i < n; ++i) {
    const int lo = std::clamp(i - k, 0, n - w);
    Eigen::Matrix3d A = Eigen::Matrix3d::Zero();
    for (int j = lo; j < lo + w; ++j) {
      const double u = t[j] - t[i];
      const Eigen::Vector3d row(1.0, u, u * u);
      A += row * row.transpose();
    }
    const auto solver = A.ldlt();
    std::vector<double> value(static_cast<std::size_t>(w)), slope(static_cast<std::size_t>(w));
    for (int j = lo; j < lo + w; ++j) {
      const double u = t[j] - t[i];
      const Eigen::Vector3d c = solver.solve(Eigen::Vector3d(1.0, u, u * u));
      value[static_cast<std::size_t>(j - lo)] = c(0);
      slope[static_cast<std::size_t>(j - lo)] = c(1);
    }
    q.first.push_back(lo);
    q.value_weights.push_back(std::move(value));
    q.slope_weights.push_back(std::move(slope));
  }
  return q;
}

std::vector<double> apply(const LocalQuadratic& q, const std::vector<std::vector<double>>& weights,
                          const std::vector<double>& y) {
  std::vector<double> out(weights.size(), 0.0);
  for (std::size_t i = 0; i < weights.size(); ++i)
    for (std::size_t j = 0; j < weights[i].size(); ++j)
      out[i] += weights[i][j] * y[static_cast<std::size_t>(q.first[i]) + j];
  return out;
}

}  // namespace

std::vector<double> local_quadratic_derivative(const std::vector<double>& t, const std::vector<double>& y, int k) {
  const LocalQuadratic q = local_quadratic(t, k);
  return apply(q, q.slope_weights, y);
}

namespace {

// Vertex of the parabola through three points, or the middle point when it is degenerate.
double parabola_vertex(double x0, double y0, double x1, double y1, double x2, double y2) {
  const double d1 = (y1 - y0) / (x1 - x0), d2 = (y2 - y1) / (x2 - x1);
  const double c = (d2 - d1) / (x2 - x0);
  if (!(c > 0)) return x1;
  const double v = 0.5 * (x0 + x1) - d1 / (2 * c);
  return std::clamp(v, x0, x2);
}

// Location of the dM/dT minimum for one window; NaN when it is not an interior, contrasted minimum.
double minimum_location(const std::vector<double>& t, const std::vector<double>& d, int k, double contrast,
                        std::string* why) {
  const int n = static_cast<int>(t.size());
  const int i = static_cast<int>(std::min_element(d.begin(), d.end()) - d.begin());
  if (d[i] >= 0) {
    if (why) *why = "no transition: M does not decrease with temperature";
    return NAN;
  }
  if (i < k || i > n - 1 - k) {
    if (why) *why = "no transition: dM/dT is steepest at the " + std::string(i < k ? "low" : "high") +
                    "-temperature end (paramagnet, or Tc outside the measured range)";
    return NAN;
  }
  const double margin = contrast * std::abs(d[i]);
  if (d.front() - d[i] < margin || d.back() - d[i] < margin) {
    if (why) *why = "no transition: the dM/dT minimum is not deeper than the ends by " +
                    std::to_string(static_cast<int>(contrast * 100)) + " %";
    return NAN;
  }
  return parabola_vertex(t[i - 1], d[i - 1], t[i], d[i], t[i + 1], d[i + 1]);
}

// Full width at half depth of the dip of dM/dT around its minimum (baseline: the larger of the
// two end values), by linear interpolation; NaN when a side does not come back up.
double dip_width(const std::vector<double>& t, const std::vector<double>& d) {
  const std::size_t i = static_cast<std::size_t>(std::min_element(d.begin(), d.end()) - d.begin());
  const double half = 0.5 * (d[i] + std::max(d.front(), d.back()));
  double lo = NAN, hi = NAN;
  for (std::size_t k = i; k > 0; --k)
    if (d[k - 1] >= half) {
      lo = t[k - 1] + (half - d[k - 1]) / (d[k] - d[k - 1]) * (t[k] - t[k - 1]);
      break;
    }
  for (std::size_t k = i; k + 1 < d.size(); ++k)
    if (d[k + 1] >= half) {
      hi = t[k] + (half - d[k]) / (d[k + 1] - d[k]) * (t[k + 1] - t[k]);
      break;
    }
  return hi - lo;
}

// The spread of Tc that M's own noise makes: the noise's sd from the scatter of M about the local
// quadratic (the median of the residuals, each scaled by its leverage, so a few outliers or the
// transition's curvature do not set it), then kNoiseResamples curves of the fitted M plus that
// noise, each searched as the data were. On the real magentropy file at 80 Oe the window spread
// said +-0.68 K for a minimum of dM/dT that the noise moves across a 35 K wide trough.
struct NoiseSpread {
  double magnetization_sd = 0;  // of one reading, in M's unit
  double curie_sd_K = 0;        // of the Tc found in the resamples that find a transition
  int resamples = 0, found = 0;
};

constexpr int kNoiseResamples = 200;

// `q` is local_quadratic(t, o.half_window), which gave the curve's own dM/dT.
NoiseSpread noise_spread(const std::vector<double>& t, const std::vector<double>& m, const LocalQuadratic& q,
                         const CurieOptions& o) {
  NoiseSpread r;
  const std::vector<double> fitted = apply(q, q.value_weights, m);
  std::vector<double> scaled;
  for (std::size_t i = 0; i < m.size(); ++i) {
    const double leverage = q.value_weights[i][i - static_cast<std::size_t>(q.first[i])];
    if (leverage < 1 - 1e-9) scaled.push_back(std::abs(m[i] - fitted[i]) / std::sqrt(1 - leverage));
  }
  r.magnetization_sd = 1.4826 * median(scaled);  // the sd of a normal from its MAD (NaN: no points)
  if (!(r.magnetization_sd > 0)) return r;
  std::mt19937_64 rng(20230111);  // fixed: the same error bar on every run
  std::normal_distribution<double> noise(0.0, r.magnetization_sd);
  std::vector<double> resampled(m.size()), found_K;
  for (r.resamples = 0; r.resamples < kNoiseResamples; ++r.resamples) {
    for (std::size_t i = 0; i < m.size(); ++i) resampled[i] = fitted[i] + noise(rng);
    const std::vector<double> d = apply(q, q.slope_weights, resampled);
    const double tc = minimum_location(t, d, o.half_window, o.contrast, nullptr);
    if (!std::isfinite(tc) || !(dip_width(t, d) <= o.max_relative_width * tc)) continue;
    ++r.found, found_K.push_back(tc);
  }
  if (r.found > 1) r.curie_sd_K = mean_sd(found_K).sd;
  return r;
}

}  // namespace

std::string CurieOptions::check() const {
  if (half_window < 1) return "CurieOptions.half_window must be >= 1";
  if (!(contrast >= 0)) return "CurieOptions.contrast must be >= 0";
  if (!(duplicate_tolerance_K >= 0)) return "CurieOptions.duplicate_tolerance_K must be >= 0";
  if (!(max_relative_width > 0)) return "CurieOptions.max_relative_width must be > 0";
  return "";
}

// The rows of one temperature sweep. A file that holds two long sweeps (ZFC warming then FC
// cooling, or ZFC and FC both warming) sorted into one curve interleaves two different M(T): the
// zigzag's steepest slope sat at the low-T end and the verdict read "paramagnet" for a clear
// ferromagnet (probe: Tc 100 K). So the temperature is cut into monotonic runs (a turn within the
// repeat tolerance is no turn: an MPMS-XL's three readings wander by a few mK either way); runs
// of at least 10 points and a fifth of the rows are sweeps; with two or more, the last is used (the
// FC branch in the usual ZFC-then-FC protocol) and a warning says so. Shorter turns (a few points
// going back) only get the "not monotonic" warning, and every point is kept.
static std::vector<std::size_t> last_long_sweep(const std::vector<double>& T, const std::vector<std::size_t>& idx,
                                         double tolerance_K, std::vector<std::string>& warnings) {
  std::vector<std::pair<std::size_t, std::size_t>> runs;  // [first, last] positions in idx
  std::size_t start = 0;
  int direction = 0;
  for (std::size_t k = 1; k < idx.size(); ++k) {
    const double step = T[idx[k]] - T[idx[k - 1]];
    if (std::abs(step) <= tolerance_K) continue;
    const int s = step > 0 ? 1 : -1;
    if (direction != 0 && s != direction) {
      runs.push_back({start, k - 1});
      start = k - 1;  // the turning point belongs to both
    }
    direction = s;
  }
  if (!idx.empty()) runs.push_back({start, idx.size() - 1});
  if (runs.size() < 2) return idx;
  std::vector<std::pair<std::size_t, std::size_t>> sweeps;
  for (const auto& run : runs) {
    const std::size_t n = run.second - run.first + 1;
    if (n >= 10 && 5 * n >= idx.size()) sweeps.push_back(run);
  }
  if (sweeps.size() < 2) {
    warnings.push_back("temperatures are not monotonic (warming and cooling mixed?); points sorted by temperature");
    return idx;
  }
  const auto [first, last] = sweeps.back();
  std::ostringstream m;
  m << "the M(T) data hold " << sweeps.size() << " temperature sweeps (ZFC and FC in one file?): Tc from the last, "
    << last - first + 1 << " points from " << T[idx[first]] << " to " << T[idx[last]]
    << " K; give a file with one branch to choose another";
  warnings.push_back(m.str());
  return std::vector<std::size_t>(idx.begin() + std::ptrdiff_t(first), idx.begin() + std::ptrdiff_t(last) + 1);
}

CurieResult find_curie_temperature(const std::vector<double>& T, const std::vector<double>& M, const CurieOptions& o) {
  require_valid(o);
  CurieResult r;
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < T.size() && i < M.size(); ++i)
    if (std::isfinite(T[i]) && std::isfinite(M[i])) idx.push_back(i);
  idx = last_long_sweep(T, idx, o.duplicate_tolerance_K, r.warnings);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return T[a] < T[b]; });
  // Repeats (an MPMS-XL measures each point two or three times, a few mK apart) become one point:
  // left apart, a 4 mK step between two noisy readings makes dM/dT spike. Their spread is kept.
  std::size_t merged = 0;
  double widest = 0;
  for (std::size_t k = 0; k < idx.size();) {
    std::size_t e = k;
    double st = 0, sm = 0;
    while (e < idx.size() && T[idx[e]] - T[idx[k]] <= o.duplicate_tolerance_K) st += T[idx[e]], sm += M[idx[e]], ++e;
    const double n_rep = static_cast<double>(e - k), mean_m = sm / n_rep;
    double ss = 0;
    for (std::size_t j = k; j < e; ++j) ss += (M[idx[j]] - mean_m) * (M[idx[j]] - mean_m);
    merged += e - k - 1;
    r.temperature_K.push_back(st / n_rep);
    r.magnetization.push_back(mean_m);
    r.magnetization_sd.push_back(e - k > 1 ? std::sqrt(ss / (n_rep - 1)) : 0.0);
    widest = std::max(widest, r.magnetization_sd.back());
    k = e;
  }
  if (merged > 0) {
    std::ostringstream m;
    m << merged << " repeated reading(s) within " << o.duplicate_tolerance_K
      << " K averaged into their mean; largest standard deviation of the repeats " << widest << ' '
      << o.magnetization_unit;
    r.warnings.push_back(m.str());
  }
  const int n = static_cast<int>(r.temperature_K.size());
  r.status = n < 2 * o.half_window + 3 ? FitStatus::Failure : FitStatus::Success;
  if (n < 2 * o.half_window + 3) {
    r.message = "no transition: too few points (" + std::to_string(n) + ")";
    return r;
  }
  const LocalQuadratic q = local_quadratic(r.temperature_K, o.half_window);
  r.dM_dT = apply(q, q.slope_weights, r.magnetization);
  r.min_dM_dT = *std::min_element(r.dM_dT.begin(), r.dM_dT.end());
  const double tc = minimum_location(r.temperature_K, r.dM_dT, o.half_window, o.contrast, &r.message);
  if (std::isnan(tc)) return r;
  r.dip_width_K = dip_width(r.temperature_K, r.dM_dT);
  if (!(r.dip_width_K <= o.max_relative_width * tc)) {
    r.message = "no transition: the dM/dT dip near " + number_text(tc, 5) + " K is " +
                (std::isnan(r.dip_width_K) ? std::string("not closed within the range")
                                           : number_text(r.dip_width_K, 4) + " K wide") +
                ", a broad inflection (paramagnet in a high field?), not a sharp transition";
    return r;
  }
  const std::size_t imax = static_cast<std::size_t>(std::max_element(r.magnetization.begin(), r.magnetization.end()) -
                                                    r.magnetization.begin());
  // The maximum must stand out of the lowest temperatures' M by more than 2 % of it: a demagnetised
  // bulk ferromagnet's M(T) is flat below Tc (M = H / (4 pi N rho)), and the largest noisy point of
  // that plateau (0.4 % scatter) is no cusp; an antiferromagnet's or a blocked moment's falls well
  // more.
  double lowest_mean = 0;
  const std::size_t lowest = std::min<std::size_t>(static_cast<std::size_t>(o.half_window) + 1, r.magnetization.size());
  for (std::size_t i = 0; i < lowest; ++i) lowest_mean += r.magnetization[i] / static_cast<double>(lowest);
  const bool stands_out = r.magnetization[imax] - lowest_mean > 0.02 * std::abs(r.magnetization[imax]);
  if (imax > static_cast<std::size_t>(o.half_window) && r.temperature_K[imax] < tc && stands_out)
    r.warnings.push_back("M(T) has a maximum at " + number_text(r.temperature_K[imax], 5) +
                         " K below the dM/dT minimum (blocking, spin-glass or antiferromagnetic order?): the "
                         "minimum may not be a Curie point");
  // Uncertainty: spread of Tc over neighbouring windows, the local grid spacing / sqrt(12), and the
  // spread that M's noise makes (noise_spread).
  double lo = tc, hi = tc;
  std::vector<int> blind;  // windows that found no transition: the spread says nothing about them
  for (int k = std::max(1, o.half_window - 1); k <= o.half_window + 2; ++k) {
    if (n < 2 * k + 3 || k == o.half_window) continue;
    const std::vector<double> d = local_quadratic_derivative(r.temperature_K, r.magnetization, k);
    const double t = minimum_location(r.temperature_K, d, k, o.contrast, nullptr);
    // A minimum found widens the spread as before; the window's own two tests (a dip deep enough,
    // and sharp enough) decide whether that window sees a transition at all.
    if (std::isfinite(t)) lo = std::min(lo, t), hi = std::max(hi, t);
    if (!std::isfinite(t) || !(dip_width(r.temperature_K, d) <= o.max_relative_width * t)) blind.push_back(k);
  }
  if (!blind.empty()) {
    std::string list;
    for (int k : blind) list += (list.empty() ? "" : ", ") + std::to_string(k);
    r.warnings.push_back("Tc " + number_text(tc, 5) + " K rests on a dip that " + std::to_string(blind.size()) +
                         " neighbouring window(s) (half-window " + list + " points, beside " +
                         std::to_string(o.half_window) +
                         ") do not find: the error bar covers only the windows "
                         "that do, so the transition is not robust to the smoothing");
  }
  const auto it = std::lower_bound(r.temperature_K.begin(), r.temperature_K.end(), tc);
  const std::size_t j =
      std::clamp<std::size_t>(static_cast<std::size_t>(it - r.temperature_K.begin()), 1, r.temperature_K.size() - 1);
  const double spacing = r.temperature_K[j] - r.temperature_K[j - 1];
  const NoiseSpread spread = noise_spread(r.temperature_K, r.magnetization, q, o);
  r.magnetization_noise_sd = spread.magnetization_sd;
  r.curie_noise_sd_K = spread.curie_sd_K;
  if (spread.resamples > 0 && spread.found < spread.resamples * 9 / 10)
    r.warnings.push_back("Tc " + number_text(tc, 5) + " K: with M's own noise (sd " +
                         number_text(spread.magnetization_sd, 3) + " " + o.magnetization_unit +
                         ", from its scatter about the local quadratic) the dip is found in only " +
                         std::to_string(spread.found) + " of " + std::to_string(spread.resamples) +
                         " resampled curves: the transition is not sure against the noise");
  r.curie_K = tc;
  r.curie_err_K = std::sqrt(std::pow(0.5 * (hi - lo), 2) + spacing * spacing / 12 +
                            spread.curie_sd_K * spread.curie_sd_K);
  r.transition_found = true;
  r.message = "ferromagnetic transition";
  return r;
}

}  // namespace mgscope

// Pop-in detection: a burst of depth beyond the local trend (the median step of its neighbours)
// while the load steps stay ordinary (load control) or vanish (displacement bursts). A burst is
// judged by its whole gain over the samples it spans against the noise of such a gain, measured on
// the same loading segment, so that ordinary depth noise at any sampling rate makes no pop-ins.
#include "fitting/popin.hpp"

#include <algorithm>
#include <cmath>

#include "fitting/base/statistics.hpp"
#include "fitting/base/summary.hpp"

namespace mgscope {

std::string PopinOptions::check() const {
  if (window < 1 || window > 10000) return "--popin-window (PopinOptions.window) must lie between 1 and 10000 samples";
  if (!(jump_factor > 1 && jump_factor <= 1e6))
    return "--popin-factor (PopinOptions.jump_factor) must lie in (1, 1e6]: a jump is larger than the usual step";
  if (!(min_jump_nm >= 0 && min_jump_nm <= 1e6))
    return "--popin-min-nm (PopinOptions.min_jump_nm) must lie in [0, 1e6] nm";
  if (!(noise_factor >= 0 && noise_factor <= 1e6))
    return "--popin-noise-factor (PopinOptions.noise_factor) must lie in [0, 1e6]: a multiple of the depth noise";
  if (!(load_step_factor > 0 && std::isfinite(load_step_factor))) return "PopinOptions.load_step_factor must be > 0";
  return "";
}

namespace {

// The sums' robust sd (the few pop-ins among them do not widen it); 0 (no noise limit) for under 8.
double sums_sd(std::vector<double> v) { return v.size() < 8 ? 0 : robust_sd(std::move(v)); }

}  // namespace

PopinDetection detect_popins(const IndentCurve& c, const IndentSegments& seg, const PopinOptions& o) {
  require_valid(o);
  PopinDetection out;
  out.limit_nm = out.spread_limit_nm = o.min_jump_nm;
  const std::size_t begin = seg.approach_end, end = std::min(seg.hold_begin + 1, c.size());
  if (end < begin + 3) return out;
  std::vector<double> dh, dp;
  for (std::size_t i = begin; i + 1 < end; ++i) {
    dh.push_back(c.depth_nm[i + 1] - c.depth_nm[i]);
    dp.push_back(c.load_mN[i + 1] - c.load_mN[i]);
  }
  const std::size_t m = dh.size();
  const auto w = static_cast<std::ptrdiff_t>(o.window);
  // Per step: the local median step (the trend: the part of a jump that is not a pop-in), the excess
  // over it, and whether the load step is ordinary. A step with too few neighbours takes no part.
  std::vector<double> typical(m, 0), excess(m, 0);
  std::vector<char> usable(m, 0), load_ok(m, 0);
  std::vector<double> nh, np;
  for (std::size_t u = 0; u < m; ++u) {
    const auto i = static_cast<std::ptrdiff_t>(u);
    nh.clear(), np.clear();
    for (std::ptrdiff_t k = std::max<std::ptrdiff_t>(0, i - w); k <= std::min<std::ptrdiff_t>(m - 1, i + w); ++k) {
      if (k == i) continue;
      nh.push_back(dh[static_cast<std::size_t>(k)]);
      np.push_back(std::abs(dp[static_cast<std::size_t>(k)]));
    }
    if (nh.size() < 4) continue;
    typical[u] = std::max(median(nh), 0.0);
    excess[u] = dh[u] - typical[u];
    usable[u] = 1;
    load_ok[u] = std::abs(dp[u]) <= o.load_step_factor * median(np) + 1e-12;
  }
  // The noise of a burst's gain over k samples: the robust sd of the sums of k successive excesses
  // along the segment (for white depth noise about sqrt(2) x the reading's sd for every k, since the
  // sum telescopes; correlated noise or an imperfect trend widen it, and are then measured too).
  const std::size_t K = std::min<std::size_t>(static_cast<std::size_t>(o.window), m);
  std::vector<double> limit(K + 1, o.min_jump_nm), sums;
  double sd1 = 0;
  for (std::size_t k = 1; k <= K; ++k) {
    sums.clear();
    double s = 0;
    for (std::size_t i = 0; i < m; ++i) {
      s += excess[i];
      if (i >= k) s -= excess[i - k];
      if (i + 1 >= k) sums.push_back(s);
    }
    const double sd = sums_sd(sums);
    if (k == 1) sd1 = sd;
    limit[k] = std::max(o.min_jump_nm, o.noise_factor * sd);
    out.spread_limit_nm = std::max(out.spread_limit_nm, limit[k]);
  }
  out.limit_nm = limit[1];
  // The reading's own noise, for the user: the median of the second differences, which white noise
  // makes 6 sd^2 and the loading curve's curvature barely touches (the excess's sd above is wider by
  // the trend's error, 10-20 %).
  std::vector<double> d2;
  for (std::size_t i = 1; i < m; ++i) d2.push_back(std::abs(dh[i] - dh[i - 1]));
  out.depth_noise_nm = d2.size() >= 8 ? noise_sd_from_second_differences(std::move(d2)) : sd1 / std::sqrt(2.0);

  // Shortest bursts first, the largest gain first among them: a sharp burst is found as the one
  // step it is (its load and depth exact), before a longer window could take in noise around it.
  std::vector<char> taken(m, 0);
  struct Event {
    std::size_t first, last;  // steps [first, last]
  };
  std::vector<Event> events;
  struct Window {
    std::size_t first;
    double gain;
  };
  std::vector<Window> windows;
  for (std::size_t k = 1; k <= K; ++k) {
    windows.clear();
    for (std::size_t i = 0; i + k <= m; ++i) {
      double gain = 0, ordinary = 0;
      bool ok = true;
      for (std::size_t j = i; j < i + k && ok; ++j) {
        ok = usable[j] && load_ok[j] && !taken[j] && (j == 0 || !taken[j - 1]) && (j + 1 >= m || !taken[j + 1]);
        gain += excess[j];
        ordinary += typical[j];
      }
      if (ok && gain > limit[k] && gain > (o.jump_factor - 1) * ordinary) windows.push_back({i, gain});
    }
    std::stable_sort(windows.begin(), windows.end(), [](const Window& a, const Window& b) { return a.gain > b.gain; });
    for (const Window& win : windows) {
      bool free = true;
      for (std::size_t j = win.first; j < win.first + k && free; ++j)
        free = !taken[j] && (j == 0 || !taken[j - 1]) && (j + 1 >= m || !taken[j + 1]);
      if (!free) continue;
      Event e{win.first, win.first + k - 1};
      // A neighbouring step clearly above the trend belongs to the same burst (a burst split over
      // two samples). A one-step burst takes a neighbour only beyond 3 sd of the step noise, so
      // that noise next to a sharp burst seldom moves its start; a spread burst's tail at 1 sd.
      const double grow = (k == 1 ? 3 : 1) * sd1;
      const auto joins = [&](std::size_t j) { return usable[j] && load_ok[j] && !taken[j] && excess[j] > grow; };
      while (e.first > 0 && e.last - e.first + 1 < K && joins(e.first - 1)) --e.first;
      while (e.last + 1 < m && e.last - e.first + 1 < K && joins(e.last + 1)) ++e.last;
      for (std::size_t j = e.first; j <= e.last; ++j) taken[j] = 1;
      events.push_back(e);
    }
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.first < b.first; });
  for (const Event& e : events) {
    Popin p;
    p.index = begin + e.first;
    p.load_mN = c.load_mN[p.index];
    p.depth_nm = c.depth_nm[p.index];
    for (std::size_t j = e.first; j <= e.last; ++j) p.jump_nm += excess[j];
    out.popins.push_back(p);
  }
  return out;
}

std::vector<Popin> find_popins(const IndentCurve& c, const IndentSegments& seg, const PopinOptions& o) {
  return detect_popins(c, seg, o).popins;
}

}  // namespace mgscope

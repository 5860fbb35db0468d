// Pop-in detection: a depth step far above the median of its neighbours while the load step
// stays ordinary (load control) or vanishes (displacement bursts); adjacent jump steps are one event.
#include "fitting/popin.hpp"

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
  if (!(load_step_factor > 0 && std::isfinite(load_step_factor))) return "PopinOptions.load_step_factor must be > 0";
  return "";
}

std::vector<Popin> find_popins(const IndentCurve& c, const IndentSegments& seg, const PopinOptions& o) {
  require_valid(o);
  std::vector<Popin> out;
  const std::size_t begin = seg.approach_end, end = std::min(seg.hold_begin + 1, c.size());
  if (end < begin + 3) return out;
  std::vector<double> dh, dp;
  for (std::size_t i = begin; i + 1 < end; ++i) {
    dh.push_back(c.depth_nm[i + 1] - c.depth_nm[i]);
    dp.push_back(c.load_mN[i + 1] - c.load_mN[i]);
  }
  const auto m = static_cast<std::ptrdiff_t>(dh.size());
  std::vector<bool> jump(dh.size(), false);
  std::vector<double> typical(dh.size(), 0);  // local median step: the part of a jump that is not a pop-in
  for (std::ptrdiff_t i = 0; i < m; ++i) {
    std::vector<double> nh, np;
    for (std::ptrdiff_t k = std::max<std::ptrdiff_t>(0, i - o.window); k <= std::min(m - 1, i + o.window); ++k) {
      if (k == i) continue;
      nh.push_back(dh[static_cast<std::size_t>(k)]);
      np.push_back(std::abs(dp[static_cast<std::size_t>(k)]));
    }
    if (nh.size() < 4) continue;
    const double med_h = median(nh), med_p = median(np);
    const auto u = static_cast<std::size_t>(i);
    typical[u] = std::max(med_h, 0.0);
    jump[u] = dh[u] > o.min_jump_nm && dh[u] > o.jump_factor * std::max(med_h, 0.0) &&
              std::abs(dp[u]) <= o.load_step_factor * med_p + 1e-12;
  }
  for (std::size_t i = 0; i < jump.size(); ++i) {
    if (!jump[i]) continue;
    Popin p;
    p.index = begin + i;
    p.load_mN = c.load_mN[p.index];
    p.depth_nm = c.depth_nm[p.index];
    while (i < jump.size() && jump[i]) p.jump_nm += dh[i] - typical[i], ++i;
    out.push_back(p);
  }
  return out;
}

}  // namespace mgscope

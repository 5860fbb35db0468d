// Temperature clustering, sweep turning points and single-link field clustering.
#include "magnetics/segments.hpp"

#include <algorithm>
#include <cmath>

#include "fitting/base/statistics.hpp"

namespace mgscope {

namespace {

std::vector<Sweep> split_sweeps(const std::vector<std::size_t>& rows, const std::vector<double>& H,
                                const MeasurementSegmentOptions& o) {
  double lo = H[rows.front()], hi = lo;
  for (std::size_t r : rows) lo = std::min(lo, H[r]), hi = std::max(hi, H[r]);
  const double tol = std::max(o.turn_tolerance_Oe, o.turn_fraction * (hi - lo));
  std::vector<Sweep> sweeps;
  // Positions in `rows`: start of the current sweep, its running extreme; the extreme where the
  // field turns back by more than `tol` ends one sweep and starts the next (both hold it).
  auto emit = [&](std::size_t from, std::size_t to, int dir) {
    Sweep s;
    s.direction = dir;
    s.rows.assign(rows.begin() + static_cast<std::ptrdiff_t>(from), rows.begin() + static_cast<std::ptrdiff_t>(to) + 1);
    s.field_min_Oe = s.field_max_Oe = H[s.rows.front()];
    for (std::size_t r : s.rows)
      s.field_min_Oe = std::min(s.field_min_Oe, H[r]), s.field_max_Oe = std::max(s.field_max_Oe, H[r]);
    sweeps.push_back(std::move(s));
  };
  std::size_t start = 0, extreme = 0;
  int dir = 0;
  for (std::size_t k = 1; k < rows.size(); ++k) {
    const double h = H[rows[k]];
    if (dir == 0) {
      if (std::abs(h - H[rows[start]]) > tol) dir = h > H[rows[start]] ? 1 : -1, extreme = k;
      continue;
    }
    if ((h - H[rows[extreme]]) * dir > 0) {
      extreme = k;
    } else if ((H[rows[extreme]] - h) * dir > tol) {
      emit(start, extreme, dir);
      start = extreme;
      dir = -dir;
      extreme = k;
      for (std::size_t j = start; j <= k; ++j)
        if ((H[rows[j]] - H[rows[extreme]]) * dir > 0) extreme = j;
    }
  }
  emit(start, rows.size() - 1, dir);
  return sweeps;
}

}  // namespace

std::vector<Isotherm> split_isotherms(const std::vector<double>& T, const std::vector<double>& H,
                                      const std::vector<bool>& usable, const MeasurementSegmentOptions& o) {
  std::vector<Isotherm> out;
  double sum = 0;
  for (std::size_t i = 0; i < T.size(); ++i) {
    if (!usable[i]) continue;
    if (out.empty() || std::abs(T[i] - sum / static_cast<double>(out.back().rows.size())) >= o.isotherm_tolerance_K) {
      out.emplace_back();
      sum = 0;
    }
    out.back().rows.push_back(i);
    sum += T[i];
    out.back().temperature_K = sum / static_cast<double>(out.back().rows.size());
  }
  for (auto& iso : out) iso.sweeps = split_sweeps(iso.rows, H, o);
  return out;
}

std::vector<FieldSetpoint> split_field_setpoints(const std::vector<double>& H, const std::vector<bool>& usable,
                                                 const MeasurementSegmentOptions& o) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < H.size(); ++i)
    if (usable[i]) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return H[a] < H[b]; });
  std::vector<FieldSetpoint> out;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const double h = H[order[k]];
    if (k == 0 || h - H[order[k - 1]] > std::max(o.setpoint_gap_Oe, o.setpoint_gap_fraction * std::abs(h)))
      out.emplace_back();
    out.back().rows.push_back(order[k]);
  }
  for (auto& sp : out) {
    std::vector<double> hs;
    for (std::size_t r : sp.rows) hs.push_back(H[r]);
    sp.field_Oe = median(hs);
    std::sort(sp.rows.begin(), sp.rows.end());  // back to measuring order
  }
  return out;
}

}  // namespace mgscope

// Choosing the branch of each isotherm and the set-points of an M(T) run.
#include "magnetics/mce_inputs.hpp"

#include <cmath>

namespace mgscope {

namespace {

std::vector<bool> usable_rows(const QdData& d) {
  std::vector<bool> u(d.row_count());
  for (std::size_t i = 0; i < u.size(); ++i)
    u[i] = std::isfinite(d.temperature_K[i]) && std::isfinite(d.field_Oe[i]) && std::isfinite(d.moment_emu[i]);
  return u;
}

}  // namespace

double effective_mass_mg(const QdData& d, double override_mg) {
  if (override_mg > 0) return override_mg;
  return d.sample_mass_mg.value_or(0.0);
}

std::vector<MhCurve> isotherm_curves(const QdData& d, double mass_mg, const MeasurementSegmentOptions& o) {
  const double scale = mass_mg > 0 ? 1.0 / (mass_mg * 1e-3) : 1.0;
  std::vector<MhCurve> out;
  for (const auto& iso : split_isotherms(d.temperature_K, d.field_Oe, usable_rows(d), o)) {
    const Sweep* best = nullptr;
    double best_span = -1;
    for (const auto& s : iso.sweeps) {
      const double span = s.field_max_Oe - std::max(0.0, s.field_min_Oe);
      // A later sweep must be wider by 1 % to win: the up and down branches of a loop tie.
      if (s.field_max_Oe >= 0 && span > best_span * 1.01) best_span = span, best = &s;
    }
    if (!best) continue;
    MhCurve c;
    c.temperature_K = iso.temperature_K;
    for (std::size_t r : best->rows)
      if (d.field_Oe[r] >= 0) {
        c.field_Oe.push_back(d.field_Oe[r]);
        c.magnetization.push_back(d.moment_emu[r] * scale);
      }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<MtCurve> mt_curves(const QdData& d, double mass_mg, const MeasurementSegmentOptions& o) {
  const double scale = mass_mg > 0 ? 1.0 / (mass_mg * 1e-3) : 1.0;
  std::vector<MtCurve> out;
  for (const auto& sp : split_field_setpoints(d.field_Oe, usable_rows(d), o)) {
    MtCurve c;
    c.field_Oe = sp.field_Oe;
    for (std::size_t r : sp.rows) {
      c.temperature_K.push_back(d.temperature_K[r]);
      c.magnetization.push_back(d.moment_emu[r] * scale);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace mgscope

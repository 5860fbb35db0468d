// Choosing the branch of each isotherm and the set-points of an M(T) run.
#include "magnetics/mce_inputs.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>

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

std::string mass_override_problem(double mass_mg, const std::string& name) {
  if (!(mass_mg >= 0)) return name + " must be >= 0 mg" + (std::isnan(mass_mg) ? " (got NaN)" : "");
  if (mass_mg > 0 && !(mass_mg >= kQdMinMass_mg && mass_mg <= kQdMaxMass_mg)) {
    std::ostringstream m;
    m << name << ' ' << mass_mg << " mg: a sample mass lies within 1 ug to 100 g (0: no mass)";
    return m.str();
  }
  return "";
}

namespace {

// A rising sweep that starts at zero field: the virgin curve of a demagnetised sample, or the
// start of a repeated measurement. "Zero" is within 1 % of the isotherm's largest |H| (50 Oe
// at least: remanent fields of superconducting magnets are tens of Oe).
bool rises_from_zero(const Sweep& s, const std::vector<double>& H, double zero_Oe) {
  return s.direction > 0 && std::abs(H[s.rows.front()]) <= zero_Oe;
}

// The sweeps of one isotherm cut into measurements: a rising sweep from zero after the first
// sweep starts a new one (two M(H) runs at one temperature, not the halves of a loop, which
// rise from -Hmax).
std::vector<std::vector<const Sweep*>> measurements(const Isotherm& iso, const std::vector<double>& H, double zero_Oe) {
  std::vector<std::vector<const Sweep*>> out(1);
  for (std::size_t k = 0; k < iso.sweeps.size(); ++k) {
    if (k > 0 && rises_from_zero(iso.sweeps[k], H, zero_Oe)) out.emplace_back();
    out.back().push_back(&iso.sweeps[k]);
  }
  return out;
}

}  // namespace

// Isotherms swept from 0 to -Hmax only (some magnets ramp that way): no field above zero, so no
// branch of H >= 0 to take, and the file was refused as "each temperature was measured at one
// field". M(-H) = -M(H) for the isotherms the Maxwell relation is used on, so such a file is read
// with H and M negated.
static bool only_negative_fields(const QdData& d) {
  const std::vector<bool> u = usable_rows(d);
  double lo = 0, hi = 0;
  for (std::size_t i = 0; i < u.size(); ++i)
    if (u[i]) lo = std::min(lo, d.field_Oe[i]), hi = std::max(hi, d.field_Oe[i]);
  return hi <= std::max(50.0, 0.01 * -lo) && lo < -1000;
}

// The moment's sign at the top field of each isotherm: negative on most of them, on a ferro- or
// paramagnet, is a sample mounted reversed or a moment column of the other sign convention, and
// -dSm then comes out negative (its TEC, from |dSm|, positive).
static void warn_of_negative_moments(const std::vector<MhCurve>& curves,
                                     const std::function<void(const std::string&)>& warn) {
  std::size_t negative = 0;
  for (const MhCurve& c : curves) {
    const auto top = std::max_element(c.field_Oe.begin(), c.field_Oe.end());
    if (top != c.field_Oe.end() && *top > 0 && c.magnetization[std::size_t(top - c.field_Oe.begin())] < 0) ++negative;
  }
  if (2 * negative > curves.size())
    warn("the moment is negative at the highest positive field in " + std::to_string(negative) + " of " +
         std::to_string(curves.size()) + " isotherms: a sample mounted reversed, or a moment column of the other sign? "
         "-dSm then has the opposite sign");
}

std::vector<MhCurve> isotherm_curves(const QdData& d, double mass_mg, const MeasurementSegmentOptions& o,
                                     std::vector<std::string>* warnings) {
  const double scale = mass_mg > 0 ? 1.0 / (mass_mg * 1e-3) : 1.0;
  auto warn = [&](const std::string& w) {
    if (warnings) warnings->push_back(d.path + ": " + w);
  };
  if (only_negative_fields(d)) {
    QdData mirrored = d;
    for (double& h : mirrored.field_Oe) h = -h;
    for (double& m : mirrored.moment_emu) m = -m;
    warn("every field is 0 or negative (isotherms swept from 0 to -Hmax): read as H and M negated, "
         "since M(-H) = -M(H)");
    return isotherm_curves(mirrored, mass_mg, o, warnings);
  }
  std::vector<MhCurve> out;
  std::vector<std::pair<double, std::string>> without_virgin;  // temperature, its warning
  for (const auto& iso : split_isotherms(d.temperature_K, d.field_Oe, usable_rows(d), o)) {
    double h_max = 0;
    for (std::size_t r : iso.rows) h_max = std::max(h_max, std::abs(d.field_Oe[r]));
    const double zero_Oe = std::max(50.0, 0.01 * h_max);
    const auto runs = measurements(iso, d.field_Oe, zero_Oe);
    if (runs.size() > 1) {
      std::ostringstream m;
      m << "M(H) measured " << runs.size() << " times at " << iso.temperature_K
        << " K (each run rises again from 0 Oe); the runs are kept apart, not merged";
      warn(m.str());
    }
    for (const auto& sweeps : runs) {
      // The virgin branch when there is one; else the sweep with the widest H >= 0 span (the
      // first unless a later one is 1 % wider), said in a warning: on a hysteretic sample a
      // branch coming down from +Hmax is not the curve the Maxwell relation assumes.
      const Sweep* best = nullptr;
      for (const Sweep* s : sweeps)
        if (rises_from_zero(*s, d.field_Oe, zero_Oe) && s->field_max_Oe > zero_Oe) {
          best = s;
          break;
        }
      if (!best) {
        double best_span = -1;
        for (const Sweep* s : sweeps) {
          const double span = s->field_max_Oe - std::max(0.0, s->field_min_Oe);
          if (s->field_max_Oe >= 0 && span > best_span * 1.01) best_span = span, best = s;
        }
        if (!best) continue;
        std::ostringstream m;
        m << "isotherm at " << iso.temperature_K << " K has no virgin branch (no sweep rising from 0 Oe); the "
          << (best->direction > 0 ? "rising" : "falling") << " sweep " << d.field_Oe[best->rows.front()] + 0.0
          << " -> " << d.field_Oe[best->rows.back()] + 0.0 << " Oe is used";  // + 0.0: no "-0"
        without_virgin.push_back({iso.temperature_K, m.str()});
      }
      MhCurve c;
      double sum_T = 0;
      std::size_t n_T = 0;
      for (const Sweep* s : sweeps)
        for (std::size_t r : s->rows) sum_T += d.temperature_K[r], ++n_T;
      c.temperature_K = runs.size() > 1 ? sum_T / static_cast<double>(n_T) : iso.temperature_K;
      for (std::size_t r : best->rows)
        if (d.field_Oe[r] >= 0) {
          c.field_Oe.push_back(d.field_Oe[r]);
          c.magnetization.push_back(d.moment_emu[r] * scale);
        }
      out.push_back(std::move(c));
    }
  }
  // One warning for all of them: a file of 36 such isotherms printed 36 lines.
  if (without_virgin.size() == 1) warn(without_virgin[0].second);
  if (without_virgin.size() > 1) {
    std::ostringstream m;
    m << without_virgin.size() << " isotherms (" << without_virgin.front().first << " to "
      << without_virgin.back().first
      << " K) have no virgin branch; each uses its widest sweep of H >= 0, e.g. the first: "
      << without_virgin.front().second;
    warn(m.str());
  }
  warn_of_negative_moments(out, warn);
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

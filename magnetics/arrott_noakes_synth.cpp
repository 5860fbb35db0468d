// The Arrott-Noakes equation of state solved for M, and isotherms drawn from it.
#include "magnetics/arrott_noakes_synth.hpp"

#include <cmath>
#include <string>

#include "fitting/base/error.hpp"

#include "fitting/base/summary.hpp"

namespace mgscope {

std::string ArrottNoakesModel::check() const {
  auto bad = [](const char* field, const std::string& rule, double v) {
    return std::string("ArrottNoakesModel.") + field + ": " + rule + ", got " + std::to_string(v);
  };
  if (!(beta > 0 && beta < 1)) return bad("beta", "must lie in (0, 1)", beta);
  if (!(gamma > 0 && gamma < 5)) return bad("gamma", "must lie in (0, 5)", gamma);
  if (!(curie_K > 0)) return bad("curie_K", "must be > 0 K", curie_K);
  if (!(m_at_tc_emu_per_g > 0)) return bad("m_at_tc_emu_per_g", "must be > 0 emu/g", m_at_tc_emu_per_g);
  if (!(reference_field_Oe > 0)) return bad("reference_field_Oe", "must be > 0 Oe", reference_field_Oe);
  if (!(spontaneous_at_09tc_emu_per_g > 0))
    return bad("spontaneous_at_09tc_emu_per_g", "must be > 0 emu/g", spontaneous_at_09tc_emu_per_g);
  return "";
}

// At T = Tc: (H_ref / M_c)^(1/gamma) = b M_c^(1/beta).
double ArrottNoakesModel::b() const {
  return std::pow(reference_field_Oe / m_at_tc_emu_per_g, 1 / gamma) / std::pow(m_at_tc_emu_per_g, 1 / beta);
}

// At H = 0, T = 0.9 Tc: 0 = a (-0.1 / 0.9) + b Ms^(1/beta).
double ArrottNoakesModel::a() const { return 9 * b() * std::pow(spontaneous_at_09tc_emu_per_g, 1 / beta); }

double arrott_noakes_magnetization_emu_per_g(const ArrottNoakesModel& m, double T, double H) {
  const double a = m.a(), b = m.b(), reduced = (T - m.curie_K) / T;
  if (!(H > 0)) return reduced < 0 ? std::pow(-a * reduced / b, m.beta) : 0.0;
  // f(u) = b e^(u/beta) + a reduced - (H e^-u)^(1/gamma), u = ln M: strictly rising in u.
  auto f = [&](double u) { return b * std::exp(u / m.beta) + a * reduced - std::pow(H * std::exp(-u), 1 / m.gamma); };
  double lo = -30, hi = 30;  // M from 1e-13 to 1e13 emu/g
  while (f(lo) > 0) lo -= 30;
  while (f(hi) < 0) hi += 30;
  for (int i = 0; i < 80 && hi - lo > 1e-13; ++i) {
    const double mid = 0.5 * (lo + hi);
    (f(mid) < 0 ? lo : hi) = mid;
  }
  double u = 0.5 * (lo + hi);
  for (int i = 0; i < 3; ++i) {  // Newton: f'(u) = (b/beta) e^(u/beta) + (1/gamma) (H e^-u)^(1/gamma)
    const double d = b / m.beta * std::exp(u / m.beta) + std::pow(H * std::exp(-u), 1 / m.gamma) / m.gamma;
    const double next = u - f(u) / d;
    if (!(next > lo - 1e-9 && next < hi + 1e-9)) break;
    u = next;
  }
  return std::exp(u);
}

std::vector<MhCurve> arrott_noakes_isotherms(const ArrottNoakesModel& model, const std::vector<double>& temperatures_K,
                                             const std::vector<double>& fields_Oe) {
  require_valid(model);
  std::vector<MhCurve> out;
  for (double t : temperatures_K) {
    MhCurve c;
    c.temperature_K = t;
    for (double h : fields_Oe)
      if (h >= 0)
        c.field_Oe.push_back(h), c.magnetization.push_back(arrott_noakes_magnetization_emu_per_g(model, t, h));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace mgscope

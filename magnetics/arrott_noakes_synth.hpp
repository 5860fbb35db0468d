// A second-order ferromagnet with chosen critical exponents, from the Arrott-Noakes equation of
// state (H/M)^(1/gamma) = a (T - Tc)/T + b M^(1/beta): the truth for the critical-exponent tests.
#pragma once
#include <string>
#include <vector>

#include "magnetics/arrott.hpp"

namespace mgscope {

// H in Oe, M in emu/g. The constants a and b are set through two magnetisations a reader can
// picture instead of their odd units: M at Tc in the reference field, and the spontaneous M at
// 0.9 Tc. The equation holds near Tc only: far below Tc M grows without bound as T -> 0.
struct ArrottNoakesModel {
  double beta = 0.365, gamma = 1.386;  // 3D Heisenberg
  double curie_K = 100;
  double m_at_tc_emu_per_g = 50;           // at reference_field_Oe
  double reference_field_Oe = 5e4;         // 5 T
  double spontaneous_at_09tc_emu_per_g = 60;  // M(H = 0, T = 0.9 Tc)

  // "" or the first bad field ("ArrottNoakesModel.beta: ...").
  std::string check() const;
  // a in (Oe/(emu/g))^(1/gamma); b in (Oe/(emu/g))^(1/gamma) / (emu/g)^(1/beta).
  double a() const;
  double b() const;
};

// M(T, H) [emu/g] solving the equation of state (unique: its left side falls and its right side
// rises with M), by bisection in ln M polished by Newton steps. H = 0 gives the spontaneous M.
double arrott_noakes_magnetization_emu_per_g(const ArrottNoakesModel& model, double temperature_K, double field_Oe);

// Rising-field isotherms at the given temperatures and fields (field_Oe >= 0; at H = 0 the
// spontaneous M below Tc, 0 above).
std::vector<MhCurve> arrott_noakes_isotherms(const ArrottNoakesModel& model, const std::vector<double>& temperatures_K,
                                             const std::vector<double>& fields_Oe);

}  // namespace mgscope

// Scaling check of the critical exponents: near Tc, m = M |t|^-beta against h = H |t|^-(beta+gamma)
// (t = (T - Tc)/Tc) falls on two curves, one above and one below Tc; how far the isotherms miss
// each other's curve measures the collapse.
#pragma once
#include <string>
#include <vector>

#include "magnetics/arrott.hpp"

#include "fitting/base/summary.hpp"

namespace mgscope {

struct ScalingOptions {
  // Isotherms with reduced_t_min <= |t| <= reduced_t_max take part (at |t| -> 0 the scaled
  // variables blow up; far from Tc the scaling form no longer holds).
  double reduced_t_min = 0.002;
  double reduced_t_max = 0.06;
  // Points with H >= field_fraction * their isotherm's highest field, as the exponents' fit
  // (CriticalOptions::field_fraction): below, domains and demagnetisation bend the isotherms (the
  // demagnetised heisdm set missed by 55 % with its right exponents, 0.8 % without those points).
  double field_fraction = 0.1;
  // A collapse whose rms miss exceeds this says the exponents do not describe the data. Clean
  // generated Arrott-Noakes sets (3D Heisenberg, Ising, mean field; 0.5-3 K apart) miss by 0.4-0.7 %,
  // 0.2 % noise 1.2 %; a Bean-Rodbell eta = 0.5 magnet (mean field, fitted 0.39/1.31) 1.7-1.9 %, the
  // 1 % noise fit stuck at gamma = 4 15 % (docs/magnetics.md).
  double max_rms_ln_deviation = 0.015;
  std::string check() const;  // throws InputError naming the bad field
};

struct ScaledIsotherm {
  double temperature_K = 0, reduced_t = 0;  // t < 0: the branch below Tc
  std::vector<double> h_scaled, m_scaled;   // H |t|^-(beta+gamma) [Oe], M |t|^-beta [M unit]
};

struct ScalingCollapse : Summary {
  double beta = 0, gamma = 0, tc_K = 0;
  std::vector<ScaledIsotherm> isotherms;  // sorted by T
  // The collapse measure: rms over every point of every isotherm of ln m minus the ln m of each
  // other isotherm of the same branch at the same ln h (linear interpolation, overlap only). 0.01
  // means the curves miss each other by about 1 %.
  double rms_ln_deviation = 0, rms_ln_deviation_below = 0, rms_ln_deviation_above = 0;
  int comparisons = 0;
  // The same measure with the mean-field exponents (0.5, 1) and the same Tc, for contrast.
  double rms_ln_deviation_mean_field = 0;
  std::vector<std::string> warnings;
  // Of `warnings`, the one saying the collapse fails (its miss over ScalingOptions'
  // max_rms_ln_deviation), "" when it holds: a doubt of the exponents themselves, which their
  // section carries, where the others doubt only the collapse measure.
  std::string failure;
};

// `curves`: isotherms on the field the exponents were found with (CriticalSummary::curves).
ScalingCollapse scaling_collapse(const std::vector<MhCurve>& curves, double beta, double gamma, double tc_K,
                                 const ScalingOptions& options = {});

}  // namespace mgscope

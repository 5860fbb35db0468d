// Arrott plots (M^2 against H/M per isotherm) and the Banerjee criterion: a negative slope in
// the high-field part of any isotherm means a first-order transition.
#pragma once
#include <string>
#include <vector>

#include "fitting/base/summary.hpp"

namespace mgscope {

// One isotherm, field rising, H >= 0. magnetization in emu/g (or emu when the mass is unknown).
struct MhCurve {
  double temperature_K = 0;
  std::vector<double> field_Oe, magnetization;
};

// Internal field H_int = H - N M with N the SI (dimensionless, 0..1) demagnetising factor. In
// Gaussian units H_int [Oe] = H [Oe] - 4 pi N M [emu/cm^3], M [emu/cm^3] = M [emu/g] * density
// [g/cm^3]. Returns the input unchanged for N = 0.
std::vector<double> internal_field_Oe(const std::vector<double>& field_Oe,
                                      const std::vector<double>& magnetization_emu_per_g, double demag_N,
                                      double density_g_cm3);

// Where an isotherm's domain region ends, as an internal field (Oe): below Tc a multi-domain sample
// holds H_int ~ 0 until H reaches 4 pi N rho M, so M(H_int) is nearly vertical at 0 and a field
// under the first point measured beyond it is interpolated across that jump (a demagnetised 3D
// Heisenberg sample at 0.19 T: -dSm +60 % to -98 % from row to row). "Beyond": at least half the
// applied field gets through. NaN when the isotherm does not start inside such a region.
double domain_region_end_Oe(const std::vector<double>& field_Oe, const std::vector<double>& internal_field_Oe);

struct ArrottOptions {
  // The magnetisation's unit, for messages only (the slope's unit is its cube per Oe).
  std::string magnetization_unit = "M unit";
  double high_field_fraction = 0.2;  // the high-field part: H >= fraction * max H of the isotherm
  // Each local straight-line fit takes consecutive points until it has at least slope_points
  // and spans at least min_span_fraction of the isotherm's highest field (dense points where a
  // magnet settles at a set-point would otherwise give slopes of pure noise or relaxation).
  int slope_points = 5;
  double min_span_fraction = 0.1;
  // An isotherm whose H/M changes by less than this fraction over its high-field part (straight-
  // line fit of H/M against H, relative to the mean H/M) is linear (a paramagnet far above any
  // order, or a diamagnet): its Arrott "line" is vertical, its slope noise; it does not vote.
  double min_h_over_m_spread = 0.02;
  // The test. With M^2 rising, d(M^2)/d(H/M) < 0 exactly when H/M falls as H rises, so each local
  // fit regresses H/M on H (H is exact, the noise is in M; regressing M^2 on H/M would put the
  // noise on both axes and along a negative slope). A fit votes first order when M rises across
  // it and d(H/M)/dH is below 0 by a one-sided Student t at the Bonferroni level
  // false_alarm / (number of fits), its standard error from the isotherm's noise (the median
  // residual variance of its fits, robust to the few a real jump distorts).
  double false_alarm = 0.01;

  std::string check() const;  // "" or the bad field
};

struct ArrottIsotherm {
  double temperature_K = 0;
  std::vector<double> h_over_m, m_squared;  // Oe/(emu/g), (emu/g)^2
  bool linear = false;                      // H/M nearly constant: no fits, no vote
  bool has_fit = false;
  bool first_order_vote = false;
  // The evidence window: the fit with the least t = (d(H/M)/dH) / se.
  double evidence_t = 0;                                   // in units of its standard error
  double evidence_arrott_slope = 0;                        // d(M^2)/d(H/M) there, (M unit)^3/Oe
  double evidence_field_low_Oe = 0, evidence_field_high_Oe = 0;
  double min_arrott_slope = 0;  // least local d(M^2)/d(H/M) of the high-field part (for reference)
};

// status Success with a Banerjee verdict in message ("second order (Banerjee): ..." or "first
// order (Banerjee): ..."); Failure when undetermined ("undetermined: ...").
struct ArrottResult : Summary {
  std::vector<ArrottIsotherm> isotherms;
  bool first_order = false;
  int first_order_isotherms = 0;
  double threshold_t = 0;  // a fit votes when its t is below -threshold_t (and M rises)
  // The strongest evidence over all isotherms (least t).
  double evidence_t = 0, evidence_arrott_slope = 0, evidence_temperature_K = 0;
  double evidence_field_low_Oe = 0, evidence_field_high_Oe = 0;
};

ArrottResult arrott_analysis(const std::vector<MhCurve>& curves, const ArrottOptions& options = {});

}  // namespace mgscope

// Arrott plots (M^2 against H/M per isotherm) and the Banerjee criterion: a negative slope in
// the high-field part of any isotherm means a first-order transition.
#pragma once
#include <string>
#include <vector>

namespace mgscope {

// One isotherm, field rising, H >= 0. magnetization in emu/g (or emu when the mass is unknown).
struct MhCurve {
  double temperature_K = 0;
  std::vector<double> field_Oe, magnetization;
};

// Internal field H_int = H - N M with N the SI (dimensionless, 0..1) demagnetising factor. In
// Gaussian units H_int [Oe] = H [Oe] - 4 pi N M [emu/cm^3], M [emu/cm^3] = M [emu/g] * density
// [g/cm^3]. Returns the input unchanged for N = 0.
std::vector<double> internal_field_Oe(const std::vector<double>& field_Oe, const std::vector<double>& magnetization_emu_per_g,
                                      double demag_N, double density_g_cm3);

struct ArrottOptions {
  double high_field_fraction = 0.2;  // the high-field part: H >= fraction * max H of the isotherm
  // Each local straight-line fit takes consecutive points until it has at least slope_points
  // and spans at least min_span_fraction of the isotherm's highest field (dense points where a
  // magnet settles at a set-point would otherwise give slopes of pure noise or relaxation).
  int slope_points = 5;
  double min_span_fraction = 0.05;
  // An isotherm whose H/M changes by less than this fraction over its high-field part (straight-
  // line fit of H/M against H, relative to the mean H/M) is linear
  // (a paramagnet far above any order, or a diamagnet): its Arrott "line" is vertical and its
  // slope is noise, so it gets no slope and no vote.
  double min_h_over_m_spread = 0.02;
  // A local slope counts as negative only when slope + significance * (its standard error) < 0
  // (noise on a flat, saturated isotherm is not first order) and M rises across the window (M
  // falling with H is a diamagnetic background).
  double significance = 3.0;
};

struct ArrottIsotherm {
  double temperature_K = 0;
  std::vector<double> h_over_m, m_squared;  // Oe/(emu/g), (emu/g)^2
  double min_slope = 0;                     // least local slope d(M^2)/d(H/M) in the high-field part
  double min_slope_se = 0;                  // its standard error from the local fit
  bool significant_negative = false;        // some local slope + significance * se < 0
  double min_slope_field_low_Oe = 0, min_slope_field_high_Oe = 0;  // field range of that fit
  bool has_slope = false;
  bool linear = false;  // H/M nearly constant: no slope taken
};

struct ArrottResult {
  std::vector<ArrottIsotherm> isotherms;
  bool first_order = false;
  std::string verdict;   // "second order (Banerjee): ..." / "first order (Banerjee): ..."
  double min_slope = 0;  // over all isotherms, with its standard error
  double min_slope_se = 0;
  double min_slope_temperature_K = 0, min_slope_field_low_Oe = 0, min_slope_field_high_Oe = 0;
  int negative_isotherms = 0;  // isotherms with a significantly negative slope
};

ArrottResult arrott_analysis(const std::vector<MhCurve>& curves, const ArrottOptions& options = {});

}  // namespace mgscope

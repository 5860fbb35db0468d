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
  int slope_points = 5;              // consecutive points of each local straight-line fit
};

struct ArrottIsotherm {
  double temperature_K = 0;
  std::vector<double> h_over_m, m_squared;  // Oe/(emu/g), (emu/g)^2
  double min_slope = 0;                     // least local slope d(M^2)/d(H/M) in the high-field part
  double min_slope_field_low_Oe = 0, min_slope_field_high_Oe = 0;  // field range of that fit
  bool has_slope = false;
};

struct ArrottResult {
  std::vector<ArrottIsotherm> isotherms;
  bool first_order = false;
  std::string verdict;   // "second order (Banerjee): ..." / "first order (Banerjee): ..."
  double min_slope = 0;  // over all isotherms
  double min_slope_temperature_K = 0, min_slope_field_low_Oe = 0, min_slope_field_high_Oe = 0;
  int negative_isotherms = 0;
};

ArrottResult arrott_analysis(const std::vector<MhCurve>& curves, const ArrottOptions& options = {});

}  // namespace mgscope

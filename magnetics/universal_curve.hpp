// Field scaling of -dSm(T, H): Franco's universal curve (-dSm / -dSm_peak against a temperature
// rescaled by the half-peak temperatures, one curve for all fields for a second-order transition,
// not for a first-order one) and the field exponent n = d ln|dSm| / d ln H at Tc.
#pragma once
#include <string>
#include <vector>

#include "fitting/base/summary.hpp"
#include "fitting/base/power_law.hpp"
#include "magnetics/entropy_change.hpp"

namespace mgscope {

struct UniversalCurveOptions {
  // Fields below this fraction of the highest field are left out: their -dSm peak spans few
  // isotherms, so Tp and the half-peak temperatures are coarse.
  double field_fraction = 0.2;
  // ... and so are the fields whose -dSm integral spans fewer than this many steps of the field
  // grid: a trapezoid over M ~ H^(1/3) near Tc errs most there (the demo study's 0.5 T steps made
  // the 1 T curve stand out by 10 %).
  int min_field_steps = 4;
  double theta_max = 3;    // the collapse is measured on |theta| <= theta_max inside every curve's range
  int theta_points = 61;   // grid on that range
  // The spread at a theta is the standard deviation of the normalised curves across fields
  // divided by their mean (a first-order transition shows in the tails, where the curves differ
  // by tens of per cent while the peak region agrees); grid points whose mean is below min_level
  // are left out (there noise would decide).
  double min_level = 0.1;
  // Verdict: collapse when the rms of that relative spread is at most this. Measured (docs): mean
  // field 1.3-3 %, Arrott-Noakes 0.9 %, Bean-Rodbell eta 1.5 / 2: 9 / 10-13 %.
  double max_spread = 0.06;
  std::string check() const;  // throws InputError naming the bad field
};

struct UniversalCurveField {
  double field_Oe = 0;
  double peak = 0, tp_K = 0, tr1_K = 0, tr2_K = 0;  // -dSm_peak, its T, the half-peak temperatures
  std::vector<double> theta, normalized;            // at every midpoint temperature
};

struct UniversalCurve : Summary {
  std::string brief_report() const;  // Summary's, plus the verdict

  std::vector<UniversalCurveField> fields;  // the fields used, rising
  std::vector<double> theta_grid, mean_curve, spread;  // spread: sd across fields at each theta
  double theta_low = 0, theta_high = 0;                // the common range measured
  double rms_spread = 0, max_spread = 0;               // of sd / mean, over the grid points counted
  bool collapses = false;
  std::string verdict;  // "collapses: second order ..." / "does not collapse: ..."
};

UniversalCurve universal_curve(const EntropyChange& entropy, const UniversalCurveOptions& options = {});

// n at temperature_K: ln(-dSm) interpolated in T at each grid field >= field_fraction * the
// highest, fitted against ln H (a straight line: n with its standard error and interval).
PowerLawFit field_exponent_at(const EntropyChange& entropy, double temperature_K, double field_fraction = 0.2);

// The part of field_exponent_at(entropy, tc_K) that comes from the isotherm spacing alone: each
// -dSm is a neighbour difference, an average over its pair's temperatures, and at Tc that average
// takes in the steeper rise of -dSm with H off Tc (generated 3D Heisenberg, 2 K apart: 0.672 for
// 0.637; 3 K: 0.736 for 0.667). Estimated on the fitted Arrott-Noakes state (beta, gamma, Tc, a,
// b): its -dSm by the same neighbour differences at the same temperatures and grid, less its exact
// n at Tc. NaN when the state cannot be built (a or b not positive).
double field_exponent_spacing_bias(const EntropyChange& entropy, double beta, double gamma, double tc_K, double a,
                                   double b, double field_fraction = 0.2);

}  // namespace mgscope

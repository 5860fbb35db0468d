// Modified Arrott plots: M^(1/beta) against (H/M)^(1/gamma) per isotherm, a straight line fitted
// to its high-field part, whose intercepts give the spontaneous magnetisation Ms(T) below Tc and
// the inverse initial susceptibility chi0^-1(T) above; and the power laws Ms ~ (-t)^beta,
// chi0^-1 ~ t^gamma (t = (T - Tc)/Tc) fitted to them with Tc free.
#pragma once
#include <string>
#include <vector>

#include "magnetics/arrott.hpp"

#include "fitting/base/summary.hpp"

namespace mgscope {

struct ModifiedArrottLine {
  double temperature_K = 0;
  std::vector<double> x, y;   // (H/M)^(1/gamma) and M^(1/beta), every point with H > 0, M > 0
  std::vector<bool> fitted;   // the high-field points of the line fit
  double slope = 0, intercept = 0;  // y = intercept + slope x
  bool has_fit = false;
  // intercept > 0: Ms = intercept^beta [M unit]; intercept < 0: chi0^-1 = (-intercept/slope)^gamma
  // [Oe/(M unit)]; NaN on the other side.
  double spontaneous_m = 0, inverse_susceptibility = 0;
};

// One line per isotherm (curves sorted by T, points sorted by H), fitted on H >= field_fraction *
// the isotherm's highest field (at least 3 points; fewer: has_fit false).
std::vector<ModifiedArrottLine> modified_arrott_lines(const std::vector<MhCurve>& curves, double beta, double gamma,
                                                      double field_fraction);

// value = amplitude * |t|^exponent with t = (T - Tc)/Tc, fitted by least squares in ln(value)
// with Tc free (profile over Tc; inside, a straight line in ln|t|). Standard errors from the
// Jacobian of the three parameters at the optimum (NaN with fewer than 4 points).
struct CriticalPowerLaw : Summary {
  bool below_tc = true;  // the branch: all T < Tc (Ms) or all T > Tc (chi0^-1)
  std::vector<double> temperature_K, value;  // the points fitted
  double exponent = 0, exponent_se = 0;
  double tc_K = 0, tc_se_K = 0;
  double amplitude = 0;
  double rms_ln = 0;          // rms residual of ln(value)
  bool tc_at_bound = false;   // the optimum sits at the end of the searched Tc range
};
// Tc is searched in (max T, max T + tc_range_K] below Tc and [min T - tc_range_K, min T) above.
CriticalPowerLaw fit_critical_power_law(const std::vector<double>& temperature_K, const std::vector<double>& value,
                                        bool below_tc, double tc_range_K);

}  // namespace mgscope

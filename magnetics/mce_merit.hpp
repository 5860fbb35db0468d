// Figures of merit of one -dSm(T) curve (peak, FWHM, RCP, RC, TEC) and the field exponent
// n(T, H) = d ln|dSm| / d ln H over a field grid.
#pragma once
#include <string>
#include <vector>

#include "magnetics/entropy_change.hpp"

namespace mgscope {

struct TecValue {
  double lift_K = 0;
  double value = 0;          // max over T_mid of the mean |dSm| over [T_mid - lift/2, T_mid + lift/2]
  double center_K = 0;       // the T_mid of that maximum
};

struct MceMerit {
  double field_Oe = 0;
  double peak_raw = 0, peak_raw_T_K = 0;  // the largest tabulated -dSm and its temperature
  double peak = 0, peak_T_K = 0;          // vertex of the parabola through the top three (Tp)
  bool peak_at_edge = false;              // maximum at the first or last temperature: peak, FWHM unreliable
  double fwhm_K = 0, fwhm_low_K = 0, fwhm_high_K = 0;  // NaN when -dSm does not fall to half on a side
  double rcp = 0;  // |dSm_max| * dT_FWHM      [J/kg for J/(kg K)]
  double rc = 0;   // integral of |dSm| over the FWHM
  std::vector<TecValue> tec;
  std::vector<std::string> warnings;
};

// Throws std::invalid_argument when the arrays differ in length or are empty, hold a value that is
// not finite, or the temperatures do not increase strictly; and for a lift that is not > 0.
MceMerit compute_mce_merit(const std::vector<double>& temperature_K, const std::vector<double>& minus_dSm,
                           double field_Oe, const std::vector<double>& tec_lifts_K = {3.0, 10.0});

// n[i][k] for each midpoint temperature i and grid field k (NaN at H <= 0 or dSm = 0): central
// differences in ln H inside the grid, one-sided at its ends.
std::vector<std::vector<double>> field_exponent(const EntropyChange& s);

// Integral of the piecewise-linear |y(x)| over [a, b] inside the data range.
double integrate_abs_linear(const std::vector<double>& x, const std::vector<double>& y, double a, double b);

}  // namespace mgscope

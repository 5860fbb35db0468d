// Magnetic entropy change from M(H) isotherms by the Maxwell relation:
// -dSm(T_mid, H) = -mu0 * integral_0^H (M_{i+1}(H') - M_i(H')) / (T_{i+1} - T_i) dH'
// on a common field grid, at midpoint temperatures, by trapezoids in H over the grid and every
// measured field inside it (so a coarse reporting grid never coarsens the integral).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "magnetics/arrott.hpp"

namespace mgscope {

struct EntropyOptions {
  // Grid step; unset: (upper - lower) / (median number of points per isotherm in range - 1).
  std::optional<double> field_step_Oe;
  // An isotherm whose lowest field is above 0 but not above this gets the point (H=0, M=0);
  // if any starts higher, the integral starts at the highest lowest field (with a warning).
  double zero_field_tolerance_Oe = 500;
  double duplicate_tolerance_K = 0.05;  // isotherms closer than this are an error
  // The caller's verdict (Arrott/Banerjee) that the transition is first order: the peak doubts then
  // give their size but not their sign (their models assume a continuous transition).
  bool first_order = false;

  std::string check() const;  // "" or the bad field, named as the option and the field
};

struct EntropyChange {
  std::vector<double> field_Oe;           // the grid; field_Oe[0] is the lower integration limit
  std::vector<double> isotherm_T_K;       // sorted
  std::vector<double> temperature_mid_K;  // (T_i + T_i+1) / 2
  // Per midpoint: its two isotherms are more than 3x the median step apart, so -dSm there is an
  // average over a wide range, not a local value (figures do not draw lines through it).
  std::vector<bool> wide_gap;
  // Per midpoint: the warnings about that row alone (the wide gap's, also in `warnings`), or empty:
  // a table gives them to their row, where the doubts of every row are peak_doubt_warning.
  std::vector<std::vector<std::string>> midpoint_warnings;
  // minus_dSm[i][k]: at temperature_mid_K[i], integrated from field_Oe[0] to field_Oe[k]
  // (k = 0 gives 0). Unit: magnetisation unit * T / K: J/(kg K) for emu/g, mJ/K for emu.
  std::vector<std::vector<double>> minus_dSm;
  bool zero_point_added = false;
  // Per midpoint, the first interval of its two isotherms: field_Oe[0] to the first field either
  // measured above it (by 1e-3 of the range). Near H = 0 the integrand dM/dT changes most (a step
  // at 0+ for a spontaneous moment, 0 at H = 0 for a demagnetised sample), and both isotherms are
  // interpolated linearly across the interval. For an integrand monotone there the true integral
  // lies between the left and right sums, so the trapezoid errs by at most
  // first_interval_bound[i] = (width / 2) |dM/dT(end) - dM/dT(start)| mu0 (when it is not
  // monotone, measured errors reach about twice this: docs/magnetics.md).
  std::vector<double> first_interval_end_Oe;
  std::vector<double> first_interval_bound;
  // Per midpoint: the signed error (in -dSm) expected of the first interval's trapezoid: the difference
  // of its two isotherms' own first-interval errors, each from a power law in H fitted to the
  // isotherm's next points (first_interval.hpp), over the temperature step. Not bounded by the bound,
  // which assumes dM/dT changes in a step at one end (M rising as a critical power from 0 can err more).
  std::vector<double> first_interval_error;
  // Per midpoint: one of its isotherms has fewer than two measured fields above its first interval
  // (first_interval_judged), so first_interval_error cannot be judged; at the top field's peak it is
  // warned of even when the doubts seem to cancel.
  std::vector<bool> first_interval_unjudged;
  // Per grid field k, relative to -dSm at the tabulated peak of that field's column (NaN for k = 0 or
  // a peak <= 0), signed (> 0: the value is too high), the expected error of the tabulated maximum
  // against the true maximum over the midpoints, in two parts: from the first intervals (the tabulated
  // peak less the largest value freed of its own first_interval_error, at the freed peak: the two
  // peaks differ where the true one lies above Tc, as for 3D Heisenberg or Ising exponents at high
  // fields); the error of averaging a peak with a cusp over the isotherm spacing at the freed peak
  // (from its curvature over its neighbours; <= 0); and their sum, peak_doubt.
  std::vector<double> first_interval_doubt;
  std::vector<double> spacing_doubt;
  std::vector<double> peak_doubt;
  std::vector<std::string> warnings;
  // The warning among `warnings` that doubts every -dSm (|peak_doubt| at the top field above
  // kPeakDoubtLimit), or "".
  std::string peak_doubt_warning;
  // Per grid field k: a warning when |peak_doubt[k]| exceeds kPeakDoubtLimit, else "" (k = 0: "").
  std::vector<std::string> peak_doubt_field_warning;
  // The doubts of peak_doubt_field_warning below the top field in one warning (the terminal's and
  // every row of dSm.csv), or "".
  std::string lower_fields_doubt;
};

// Above this |peak_doubt| at the top field, -dSm carries a warning. From the error table of
// docs/magnetics.md ("Field steps near H = 0": mean-field isotherms 0.5, 1 and 3 K apart,
// single-domain and demagnetised, 0.05-1 T first steps, 1 and 5 T).
constexpr double kPeakDoubtLimit = 0.035;

// Throws InputError (with `source` as the file name) for fewer than two isotherms, duplicate
// temperatures, isotherms without a common field range, an isotherm whose field and magnetisation
// differ in length or whose temperature is not finite, and a grid step larger than the common
// range or making more than 10000 fields; std::invalid_argument for invalid options.
EntropyChange compute_entropy_change(std::vector<MhCurve> curves, const EntropyOptions& options,
                                     const std::string& source);

// Linear interpolation of y(x) at xq (x sorted ascending); clamps outside. Throws
// std::invalid_argument when x and y differ in length or are empty.
double interpolate_linear(const std::vector<double>& x, const std::vector<double>& y, double xq);

}  // namespace mgscope

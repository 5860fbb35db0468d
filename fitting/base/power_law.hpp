// Power laws y = a * x^n fitted as straight lines in log-log space (ln y = ln a + n ln x), with
// the standard error and Student-t interval of the exponent, and a two-regime (broken) fit.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fitting/base/summary.hpp"

namespace mgscope {

struct PowerLawOptions {
  std::optional<double> x_min;  // keep points with x >= x_min (same unit as x)
  std::optional<double> x_max;  // keep points with x <= x_max
  double confidence = 0.95;     // two-sided level of the interval on n

  std::string check() const;  // "" or the bad field
};

struct PowerLawFit : Summary {
  std::vector<std::size_t> used;  // indices into the input of the points fitted
  int n_points = 0;
  double exponent = 0, exponent_se = 0;       // n and its standard error
  double exponent_low = 0, exponent_high = 0;  // n -+ t(1-(1-conf)/2, N-2) * se
  double t_quantile = 0;
  double ln_prefactor = 0, ln_prefactor_se = 0;  // ln a
  double prefactor = 0;                          // a
  double sse = 0;                                // residual sum of squares of ln y
  double r_squared = 0;
};

// Least squares on (ln x, ln y). Points with x <= 0, y <= 0 or non-finite are never used (a
// warning says how many and which).
// Needs 3 points (2 give no error estimate): fewer gives status Failure with a message.
// Throws std::invalid_argument for invalid options.
PowerLawFit fit_power_law(const std::vector<double>& x, const std::vector<double>& y,
                          const PowerLawOptions& options = {});

struct TwoRegimeFit : Summary {
  double breakpoint_x = 0;   // points with x < breakpoint go below, the rest above
  bool searched = false;     // true: breakpoint chosen to minimise total SSE
  PowerLawFit below, above;  // independent fits of each regime
  double total_sse = 0;
};

// With `breakpoint`, splits there; without, tries every split between neighbouring distinct x
// (at their geometric mean) leaving at least `min_points` on each side, and keeps the one with
// the least total SSE. Throws std::invalid_argument for min_points < 3 or a breakpoint that is
// not a finite number > 0.
TwoRegimeFit fit_two_regime_power_law(const std::vector<double>& x, const std::vector<double>& y,
                                      std::optional<double> breakpoint, int min_points = 3,
                                      double confidence = 0.95);

}  // namespace mgscope

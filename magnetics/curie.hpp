// Curie temperature from a field-cooled M(T): the minimum of dM/dT, with dM/dT from local
// quadratic least squares (Savitzky-Golay on a non-uniform temperature axis).
#pragma once
#include <string>
#include <vector>

#include "fitting/base/summary.hpp"

namespace mgscope {

struct CurieOptions {
  int half_window = 2;  // points each side in the local quadratic (5-point window)
  // Tc must lie at least half_window points from either end, and dM/dT at both ends must exceed
  // the minimum by this fraction of |min|; otherwise the verdict is "no transition".
  double contrast = 0.25;
  // Readings within this of the first of a group are repeats, averaged into one point (MPMS-XL
  // triplicates lie a few mK apart).
  double duplicate_tolerance_K = 0.01;
  // A transition is a sharp dip: full width at half depth of -dM/dT above this fraction of the
  // dip temperature is a broad inflection (a paramagnet saturating in a high field), "no transition".
  double max_relative_width = 0.5;
  // The magnetisation's unit, for messages only (the numbers are in whatever unit M comes in).
  std::string magnetization_unit = "M unit";

  std::string check() const;  // "" or the bad field
};

// status Success when the curve was analysed; message is the verdict, "ferromagnetic transition"
// or "no transition: <why>". Failure only when there are too few points to look.
struct CurieResult : Summary {
  bool transition_found = false;
  double curie_K = 0;             // vertex of the parabola through dM/dT around its minimum
  // In quadrature: the window variation (half_window - 1 .. + 2), the grid spacing / sqrt(12) and
  // curie_noise_sd_K.
  double curie_err_K = 0;
  double curie_noise_sd_K = 0;        // sd of Tc over curves resampled with M's own noise
  double magnetization_noise_sd = 0;  // that noise: one reading's sd, from the scatter about the fit
  double min_dM_dT = 0;           // magnetisation unit per K
  double dip_width_K = 0;         // full width of the -dM/dT dip at half its depth (NaN: not closed)
  std::vector<double> temperature_K, magnetization, dM_dT;  // sorted, de-duplicated
  std::vector<double> magnetization_sd;  // per point: standard deviation of its repeats (0: one reading)
};

// `magnetization` in any unit (emu/g or emu). Never throws for data: odd data gives a verdict
// and warnings; fewer than 2*half_window+3 points is "no transition: too few points" (Failure).
// Throws std::invalid_argument for invalid options.
CurieResult find_curie_temperature(const std::vector<double>& temperature_K, const std::vector<double>& magnetization,
                                   const CurieOptions& options = {});

// dM/dT at each point by a local quadratic fit over +-half_window points (shifted at the ends).
std::vector<double> local_quadratic_derivative(const std::vector<double>& t, const std::vector<double>& y,
                                               int half_window);

}  // namespace mgscope

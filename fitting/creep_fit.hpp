// Hold-segment creep fit, Eq. 1 of docs/indentation.md: N Kelvin units plus a dashpot,
//   dh(t) = c0 + sum_i h_i (1 - exp(-t / tau_i)) + t / mu0,
// by separable least squares (variable projection) over ln(tau) with multi-start; AIC picks N.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fitting/base/summary.hpp"

namespace mgscope {

struct CreepFitOptions {
  std::optional<int> units;          // force N (1..3); unset: N = 1..max_units, AIC picks
  int max_units = 3;
  int grid_points_per_decade = 4;    // log-spaced tau grid of the starts
  int starts = 3;                    // distinct grid starts refined per N
  int max_iterations = 100;          // Levenberg-Marquardt iterations per start (a fit never hangs)
  double function_tolerance = 1e-7;  // relative change of the residual sum of squares
  std::optional<double> tau_min_s;   // default: the sample step
  std::optional<double> tau_max_s;   // default: 5 x the hold time
  double min_tau_ratio = 1.5;        // neighbouring taus at least this ratio apart

  std::string check() const;  // "" or the bad field, e.g. "CreepFitOptions.units must be 1, 2 or 3"
};

struct KelvinUnit {
  double h_nm = 0, h_se_nm = 0;
  double tau_s = 0, tau_se_s = 0;
};

// One fitted model (N units). Standard errors come from the Jacobian at the optimum and are
// optimistic when residuals are correlated: across repeats report mean +- sd instead.
// Below this R^2 the chosen model carries a warning (creep_fit.cpp says why).
constexpr double kCreepMinRSquared = 0.5;
// A model refused for an unresolved unit whose AIC is this much lower than the chosen one's fits far
// better: the data hold a process the chosen model lacks (creep_fit.cpp says why this level).
constexpr double kCreepFarBetterAic = 20;
// The chosen model's residual rms above this multiple of the depth noise leaves a systematic part
// (real NanoTest holds, whose noise is partly correlated, leave 1.2-2.1).
constexpr double kCreepResidualOverNoise = 2;
// A unit with tau above this fraction of the hold has not relaxed within it.
constexpr double kCreepTauOverHold = 1.0 / 3;

struct CreepModel : Summary {
  int units = 0;
  double c0_nm = 0, c0_se_nm = 0;
  std::vector<KelvinUnit> kelvin;  // tau ascending
  double inv_mu0_nm_per_s = 0, inv_mu0_se_nm_per_s = 0;  // 1/mu0; mu0 in s/nm
  double rss_nm2 = 0, residual_rms_nm = 0, r_squared = 0, aic = 0;
  int iterations = 0;

  double mu0_s_per_nm() const { return 1 / inv_mu0_nm_per_s; }
  double mu0_se_s_per_nm() const { return inv_mu0_se_nm_per_s / (inv_mu0_nm_per_s * inv_mu0_nm_per_s); }
  double kelvin_nm(double t_s) const;  // sum of the Kelvin terms
  double maxwell_nm(double t_s) const { return t_s * inv_mu0_nm_per_s; }  // the dashpot term
  double depth_nm(double t_s) const { return c0_nm + kelvin_nm(t_s) + maxwell_nm(t_s); }
};

struct CreepFitSummary : Summary {
  int points = 0;
  double hold_s = 0;
  double depth_noise_nm = 0;            // sd of one depth reading in the hold (robust, second differences)
  double tau_min_s = 0, tau_max_s = 0;  // the bounds used
  CreepModel best;                      // the model AIC picked (or the forced N)
  std::vector<CreepModel> candidates;   // every N tried, in order of N
  std::string brief_report() const;  // Summary's, plus N and the fitted units
};

// `t_s` from the start of the hold (never decreasing), `dh_nm` depth minus depth at hold
// start. Never throws for bad data: a curve that cannot be fit gives status Failure and a message.
// Throws std::invalid_argument for invalid options (the message names the field).
CreepFitSummary fit_creep(const std::vector<double>& t_s, const std::vector<double>& dh_nm,
                          const CreepFitOptions& options = {});

}  // namespace mgscope

// Relaxation (retardation) spectrum L(tau) of a fitted creep model, Eq. 2 of docs/indentation.md:
//   L(tau) = K * sum_i h_i * k(2 tau / tau_i),   K = A0 / (P0 * h_in),
// its peaks (position, height, unit) and the mean +- sd of repeats of one sample.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fitting/creep_fit.hpp"
#include "fitting/base/statistics.hpp"
#include "fitting/base/summary.hpp"

namespace mgscope {

// paper: k(x) = x (1 + x) exp(-x) as printed (a unit peaks at 0.809 tau_i);
// ferry: k(x) = x^2 exp(-x), Ferry's second approximation (a unit peaks at tau_i).
enum class SpectrumKernel { Paper, Ferry };
std::optional<SpectrumKernel> parse_kernel(const std::string& name);
const char* to_string(SpectrumKernel k);
double kernel_value(SpectrumKernel k, double x);
// tau_peak / tau_i of a single unit: (1 + sqrt 5) / 4 for paper, 1 for ferry.
double single_unit_peak_ratio(SpectrumKernel k);

// K in 1/(GPa nm), so that K * h_nm is in 1/GPa: A0 in nm^2, P0 in mN, h_in in nm. Throws
// std::invalid_argument, naming the argument, unless all three are finite and > 0.
double spectrum_scale_per_GPa_nm(double contact_area_nm2, double hold_load_mN, double hold_start_depth_nm);

struct SpectrumOptions {
  SpectrumKernel kernel = SpectrumKernel::Paper;
  double tau_min_s = 0.01;  // log-spaced tau grid
  double tau_max_s = 1000;
  int points_per_decade = 20;
  double merge_ratio = 6;   // neighbouring units closer than this ratio give merged peaks
  std::string check() const;  // "" or the bad field
};

struct SpectrumPeak {
  double tau_s = 0;
  double height_per_GPa = 0;
  int unit = 0;  // 1-based Kelvin unit this peak belongs to; 0 when merged (not mapped)
};

// status Success with the grid values and peaks; Failure (empty arrays) without Kelvin units to
// make a spectrum of, as a failed creep fit leaves.
struct Spectrum : Summary {
  std::vector<double> tau_s;
  std::vector<double> L_per_GPa;
  std::vector<SpectrumPeak> peaks;  // ascending tau
  bool merged = false;              // some units too close to give separate peaks
};

double spectrum_value_per_GPa(const std::vector<KelvinUnit>& units, double scale_per_GPa_nm, SpectrumKernel k,
                              double tau_s);
// Grid values, and peaks refined on the closed form (golden section in ln tau) to ~1e-7. Throws
// std::invalid_argument for invalid options, a scale that is not finite, or a unit whose tau_s is
// not finite and > 0 or whose h_nm is not finite (a tau of -1 s gave a peak of infinite height).
Spectrum relaxation_spectrum(const std::vector<KelvinUnit>& units, double scale_per_GPa_nm,
                             const SpectrumOptions& options = {});
// The log-spaced grid the options describe.
std::vector<double> spectrum_grid(const SpectrumOptions& options);

// Repeats of one sample: mean +- sd of the parameters of units 1 and 2 and of peaks 1 and 2
// (in order of tau); a value a curve lacks is left out of that statistic.
struct CreepRepeatStats {
  MeanSd tau1_s, tau2_s, h1_nm, h2_nm, mu0_s_per_nm;
  MeanSd peak1_tau_s, peak1_height_per_GPa, peak2_tau_s, peak2_height_per_GPa;
  // The inputs each statistic rests on (indexes into `models`; peaks: into `spectra`), so that a
  // mean can carry the doubts of the curves it averages. unit1: tau1, h1 and mu0.
  std::vector<std::size_t> unit1_from, unit2_from, peak1_from, peak2_from;
};
CreepRepeatStats summarize_repeats(const std::vector<CreepModel>& models, const std::vector<Spectrum>& spectra);

}  // namespace mgscope

// Synthetic DSC runs with known truth: heat 1 (with relaxation), cool, heat 2 (the reference,
// through crystallisation); written as a NETZSCH-style export or the generic CSV.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mgscope {

// Signal model (exotherm up, W/g) on heating at rate b = rate/60 K/s; the heat-capacity terms
// (baseline, slope, step) are given at 20 K/min and scale with rate / (20 K/min):
//   (baseline + slope (T - 500 K) - step * logistic((T - tg_mid) / tg_width)) * rate / 20
//   + exotherm: dH_x * b * gauss(T; tx_peak, tx_sigma)              (whenever the scan reaches it)
//   + first heating only: release * b * gauss(T; relax_center, relax_sigma)
//                         - overshoot * b * gauss(T; overshoot_center, overshoot_sigma)
// Truths of the tangent constructions: Tg onset = tg_mid - 2 tg_width, Tg midpoint = tg_mid,
// Tx onset = tx_peak - 2 tx_sigma; dH_rel = release - overshoot (J/g, positive = released).
struct DscSynthParams {
  std::string sample = "synthetic glass";
  double rate_K_per_min = 20;
  double start_K = 400;
  double first_end_K = 632;   // the first heating stops above Tg, below crystallisation
  double second_end_K = 720;  // the reference heating runs through crystallisation
  double sample_interval_s = 1.0;
  double mass_mg = 10;
  double baseline_W_per_g = -0.05;
  double baseline_slope_W_per_gK = -1e-4;
  double tg_mid_K = 592;
  double tg_width_K = 3;
  double step_W_per_g = 0.03;
  double tx_peak_K = 665;
  double tx_sigma_K = 4;
  double dH_x_J_per_g = 50;
  double release_J_per_g = 0.25;
  double relax_center_K = 560;
  double relax_sigma_K = 10;
  double overshoot_J_per_g = 0.05;
  double overshoot_center_K = 598;
  double overshoot_sigma_K = 3;
  double noise_W_per_g = 5e-5;
  std::uint64_t seed = 1;

  // "" or "DscSynthParams.<field>: <rule>, got <value>": a zero rate, width or sigma made every
  // temperature or heat flow inf or NaN, written to the file as numbers.
  std::string check() const;
};

// At most this many rows per run (three ramps at rate_K_per_min, one every sample_interval_s):
// a rate typed a few decades too low would fill the memory and the disk.
inline constexpr double kMaxDscSynthRows = 1e7;

struct DscSynthTruth {
  double tg_onset_K, tg_mid_K, tx_onset_K, tx_peak_K, dH_x_J_per_g, dH_rel_J_per_g;
};
DscSynthTruth dsc_synth_truth(const DscSynthParams& p);

struct DscSynthRun {
  std::vector<double> time_s, temperature_K, heat_flow_W_per_g;
  std::vector<int> segment;  // 1 first heating, 2 cooling, 3 reference heating
};
// Throws std::invalid_argument carrying p.check()'s message for invalid parameters.
DscSynthRun generate_dsc(const DscSynthParams& p);

// File contents: NETZSCH Proteus style (decimal comma, ';', cp1252 degree signs, heat flow in
// mW/mg, Segment column), or the generic CSV ("T_K,t_s,HF_mW,segment" with '# key: value' lines).
std::string write_dsc_netzsch(const DscSynthRun& run, const DscSynthParams& p);
std::string write_dsc_generic_csv(const DscSynthRun& run, const DscSynthParams& p);

// A small series in the spirit of the study (as-cast, 10, 20, 40 thermal cycles): relaxation
// enthalpy and crystallisation onset vary with the treatment.
struct DscDemoSample {
  std::string file_stem;
  double treatment;
  DscSynthParams params;
};
std::vector<DscDemoSample> dsc_demo_series(std::uint64_t seed);

}  // namespace mgscope

// Synthetic indentation curves with known truth: loading P = C h^2, a hold with Eq. 1 creep,
// an unloading power law whose slope gives the chosen H and Er by Oliver-Pharr (ideal
// Berkovich area), pop-ins at chosen loads, drift and Gaussian noise from a fixed seed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "fitting/creep_fit.hpp"
#include "fitting/indent_curve.hpp"

namespace mgscope {

struct IndentSynthOptions {
  double hardness_GPa = 6;
  double reduced_modulus_GPa = 70;
  double max_load_mN = 50;
  double loading_rate_mN_per_s = 10;
  double unloading_rate_mN_per_s = 10;
  double hold_s = 120;
  double rate_Hz = 10;
  std::vector<KelvinUnit> creep_units;   // h_nm, tau_s used; empty: no creep in the hold
  double inv_mu0_nm_per_s = 0;           // dashpot 1/mu0 of the hold
  double drift_nm_per_s = 0;             // thermal drift over the whole test
  double depth_noise_nm = 0;             // Gaussian sd
  double load_noise_mN = 0;
  double unloading_exponent_m = 1.5;
  std::vector<double> popin_loads_mN;    // depth bursts on loading at these loads
  double popin_size_nm = 15;
  int approach_rows = 20;                // rows at time 0 with negative depth, as NanoTest writes
  std::uint64_t seed = 1;
  double epsilon = 0.75, beta = 1.034;   // the Oliver-Pharr constants the truth is built for
  // The tip's area function A(h_c) (AreaFunction's terms); the default is the ideal Berkovich.
  std::vector<double> area_coefficients = {24.5};
  // The frame's compliance C_f (nm/mN): every depth reading also holds the frame's deflection C_f P.
  double frame_compliance_nm_per_mN = 0;

  // "" or "IndentSynthOptions.<field>: <rule>, got <value>": a zero or negative load, rate, time,
  // H or Er made depths and times of inf or NaN, written to the file as numbers.
  std::string check() const;
};

// At most this many rows per curve (loading, hold and unloading at rate_Hz): a curve is held in
// memory whole, and a rate typed a few decades too high would fill it.
inline constexpr double kMaxIndentSynthRows = 1e7;

// Depth at maximum load and the unloading law that give exactly H and Er (no creep, no noise).
struct IndentSynthTruth {
  double contact_depth_nm = 0, max_depth_nm = 0, stiffness_mN_per_nm = 0, final_depth_nm = 0;
};
// Both throw std::invalid_argument carrying options.check()'s message for invalid options.
IndentSynthTruth indent_synth_truth(const IndentSynthOptions& options);

IndentCurve synth_indent_curve(const IndentSynthOptions& options, const std::string& name);

// Serialisations the readers accept: NanoTest (no header, TAB, CRLF) and the generic CSV.
std::string format_nanotest_text(const IndentCurve& curve);
std::string format_indent_csv(const IndentCurve& curve);

}  // namespace mgscope

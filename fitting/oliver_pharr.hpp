// Oliver-Pharr analysis of one indent: power-law fit of the unloading curve, contact stiffness,
// contact depth, area function, hardness, reduced and sample moduli.
#pragma once
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "fitting/base/summary.hpp"
#include "fitting/indent_curve.hpp"

namespace mgscope {

// A(h_c) = C0 h_c^2 + C1 h_c + C2 h_c^(1/2) + C3 h_c^(1/4) + ...  (h_c in nm, A in nm^2).
// The default is the ideal Berkovich, C0 = 24.5.
struct AreaFunction {
  std::vector<double> coefficients = {24.5};
  double area_nm2(double contact_depth_nm) const;
  // "A = 24.5 h_c^2 + 2000 h_c + 30000 h_c^1/2" (h_c in nm, A in nm^2), with ", the ideal Berkovich"
  // for the default: what a warning about the area function names.
  std::string formula() const;
};

struct OliverPharrOptions {
  double fit_low_fraction = 0.20;   // unloading points between these fractions of Pmax are fitted
  double fit_high_fraction = 0.95;
  double epsilon = 0.75;            // Berkovich geometry factor of h_c = h_max - eps Pmax / S
  double beta = 1.034;              // Berkovich correction of Er
  AreaFunction area;
  // The instrument frame's compliance C_f (nm/mN): the depth reading holds the frame's deflection
  // C_f P, which is taken off every reading (h - C_f P) before the fit, so that S is the contact's
  // own (1/S = 1/S_measured - C_f). 0: the readings are the contact's (corrected by the instrument).
  double frame_compliance_nm_per_mN = 0;
  double sample_poisson = 0.3;
  double indenter_modulus_GPa = 1141;  // diamond
  double indenter_poisson = 0.07;
  int max_iterations = 200;
  // Refits of the fitted curve with its measured noise, for the noise's uncertainty and bias of H,
  // Er and E (0 or 1: none, the sds NaN). 32 give the sds to about 13 % and a bias to sd/5.7.
  int noise_refits = 32;

  std::string check() const;  // "" or the bad field
};

struct OliverPharrResult : Summary {
  double max_load_mN = 0, max_depth_nm = 0;  // at the start of unloading
  double alpha_mN = 0, exponent_m = 0, final_depth_nm = 0;  // P = alpha (h - h_f)^m, h in nm
  double stiffness_mN_per_nm = 0, contact_depth_nm = 0, contact_area_nm2 = 0;
  double hardness_GPa = 0, reduced_modulus_GPa = 0, modulus_GPa = 0;
  int fit_points = 0;
  double fit_rms_mN = 0;
  // The sd of one reading in the fitted unloading rows (second differences, robust), and what that
  // noise does to the numbers: the sds of H, Er and E over `noise_refits` refits (NaN without).
  // A bias they show (over 3 %) is a warning; the numbers are the fit's, uncorrected.
  double depth_noise_nm = 0, load_noise_mN = 0;
  int noise_refits = 0;
  double hardness_sd_GPa = NAN, reduced_modulus_sd_GPa = NAN, modulus_sd_GPa = NAN;
  // H or Er is a number no solid has (a unit read wrong, nearly always; warned of): given, but
  // left out of a batch's means.
  bool implausible = false;
};

// Never throws for bad curves: too few unloading points or a failed fit give status Failure.
OliverPharrResult oliver_pharr(const IndentCurve& curve, const IndentSegments& segments,
                               const OliverPharrOptions& options = {});

// The contact's depth at row i of `curve` (nm): the reading less the frame's deflection C_f P under
// its load (OliverPharrOptions::frame_compliance_nm_per_mN; the reading itself for 0).
double contact_depth_reading_nm(const IndentCurve& curve, std::size_t i, const OliverPharrOptions& options);

// E from 1/Er = (1 - nu^2)/E + (1 - nu_i^2)/E_i; NaN when Er exceeds the indenter term allows.
double sample_modulus_GPa(double reduced_modulus_GPa, const OliverPharrOptions& options);

}  // namespace mgscope

// Weiss-Brillouin mean-field ferromagnet (optionally Bean-Rodbell, first order for eta > 1):
// self-consistent magnetisation, exact magnetic entropy, and Quantum Design MPMS3-style .dat
// files of isotherms and a field-cooled M(T) with the exact -dSm as truth (the same files can be
// drawn from the Arrott-Noakes state of arrott_noakes_synth.hpp instead, with its exact -dSm).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "magnetics/arrott_noakes_synth.hpp"
#include "magnetics/demagnetised_sample.hpp"

namespace mgscope {

struct MeanFieldModel {
  double J = 3.5;       // total angular momentum quantum number (Gd3+: 7/2)
  double g = 2.0;       // Lande factor
  double curie_K = 100; // T0: the Curie temperature of the eta = 0 model
  // Molar mass per magnetic ion [g/mol]: sets Ms = N_A g J muB / M and N kB = R / M. 300 g/mol
  // (a diluted Gd glass: Gd55Co20Al25 has 191 g per mol of Gd) gives Ms = 130.3 emu/g and a
  // -dSm peak of about 10 J/(kg K) at 5 T, like the Gd-Co-Al glasses.
  double molar_mass_g_per_mol = 300;
  // Bean-Rodbell magnetovolume coupling: the exchange term a1 (T0/T)(m + eta K m^3) with
  // K = b3 a1^3 (b3 the cubic Brillouin coefficient) so that eta = 1 is the tricritical point.
  double eta = 0;
};

struct MeanFieldState {
  double reduced_m = 0;         // M / Ms
  double x = 0;                 // Brillouin argument g muB J (mu0 H + lambda M) / (kB T)
  double magnetization_emu_per_g = 0;
  double entropy_J_per_kgK = 0; // magnetic entropy (N kB)[ln(sinh((2J+1)x/2J)/sinh(x/2J)) - x B_J(x)]
};

double brillouin(double J, double x);
double saturation_emu_per_g(const MeanFieldModel& model);
// Solves x = h + a1 (T0/T)(m + eta K m^3), m = B_J(x), on all roots (scan + bisection), keeping
// the one of least free energy (the equilibrium state; at H = 0 below T0 the spontaneous one).
MeanFieldState solve_mean_field(const MeanFieldModel& model, double temperature_K, double mu0H_T);
// Exact -dSm = S(T, 0) - S(T, H) [J/(kg K)].
double exact_minus_dSm(const MeanFieldModel& model, double temperature_K, double mu0H_T);
// The same for a demagnetised sample at the applied field: S(T, 0) - S(T, H_int), H_int from
// demagnetised_sample_field (each domain holds the spontaneous M, so its entropy is S(T, 0)).
double exact_minus_dSm_applied(const MeanFieldModel& model, const DemagnetisedSample& sample, double temperature_K,
                               double applied_mu0H_T);

// Which equation of state the files are drawn from.
enum class SynthEquationOfState { MeanField, ArrottNoakes };

struct McesynthOptions {
  SynthEquationOfState equation_of_state = SynthEquationOfState::MeanField;
  MeanFieldModel model;           // mean field / Bean-Rodbell; model.curie_K also places the temperatures
  ArrottNoakesModel arrott_noakes;  // with ArrottNoakes (its curie_K is the transition)
  double mass_mg = 10.0;
  double field_max_T = 5.0, field_step_T = 0.1;  // isotherm fields 0, step, ..., max
  // Non-empty: the isotherm fields themselves [T], strictly ascending from >= 0 (field_max_T and
  // field_step_T unused): a real MPMS sequence steps finely at low field, coarsely above.
  std::vector<double> field_list_T;
  double t_step_K = 3.0;                          // isotherm spacing; T0 is a midpoint
  double t_below_K = 45, t_above_K = 60;          // isotherms span about T0 - below .. T0 + above
  double fc_field_Oe = 500;                       // field-cooled M(T) field
  // The field-cooled M(T) range, by default 0.2 to 1.5 x the Curie temperature (model.curie_K): a
  // fixed 20-150 K missed the transition of a Tc of 150 K or more. Steps with +-0.1 K jitter.
  std::optional<double> fc_t_min_K, fc_t_max_K;
  double fc_t_step_K = 0.5;
  double noise_relative = 0;                      // Gaussian noise on moments, relative to Ms * mass
  unsigned seed = 1;
  // demag_N > 0: a multi-domain sample of that shape and density (demagnetised_sample.hpp): M(H = 0)
  // = 0 and M = H / (4 pi N rho) below technical saturation, the equation of state at the internal
  // field above. 0: the single-domain magnet, with its spontaneous M at H = 0 below T0.
  DemagnetisedSample sample;
};

struct McesynthFiles {
  std::string isotherms_dat;  // MPMS3 VSM-style: Moment (emu) filled
  std::string fc_dat;         // MPMS3 DC-style: Moment (emu) empty, DC Moment Free Ctr (emu) filled
  // T_K at isotherm midpoints x every field step, exact -dSm (Arrott-Noakes: the Maxwell integral of
  // its exact dM/dT, arrott_noakes_entropy.hpp). With a demagnetised sample: at the applied field,
  // S(T, 0) - S(T, H_int(T, H)) (0 while in domains).
  std::string exact_dSm_csv;
  // A demagnetised sample only: the same at the internal field (the plain mean-field table), the
  // truth for `mgscope mce --demag N --density rho`, whose -dSm is against H_int.
  std::string exact_dSm_internal_csv;
  std::vector<double> isotherm_T_K, fields_T;
};
// Throws InputError for a non-positive model parameter, mass or step, or too many steps; for the
// command line to refuse the settings before anything is made.
void check_mce_synthetic(const McesynthOptions& options);

// The isotherm fields [T]: field_list_T, else 0, field_step_T, ..., field_max_T.
std::vector<double> isotherm_fields_T(const McesynthOptions& options);

// Throws InputError for settings check_mce_synthetic refuses. Isotherms and M(T) come
// from the chosen equation of state; noise is relative to Ms (mean field) or to the
// Arrott-Noakes M at Tc in its reference field.
McesynthFiles make_mce_synthetic(const McesynthOptions& options);

}  // namespace mgscope

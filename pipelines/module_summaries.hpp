// What the report (and the study) reads back from each module's summary file, as one typed view per
// module. Every key name the report relies on is written once, in module_summaries.cpp, and
// each is declared in the module's schema in docs/schemas/ (a test walks the schemas with
// summary_keys_read()), and the schemas are checked against the modules' real outputs, so a
// module that renames a key fails a test, not a report.
#pragma once
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace mgscope {

constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

// A {mean, sd, n} object of a summary; NaN / 0 where the module wrote null or nothing.
struct MeanSdValue {
  double mean = kNoValue;
  double sd = kNoValue;
  int n = 0;
};

// OUTDIR/<image>/summary.json of `mgscope hrtem` (hrtem.summary.schema.json).
struct HrtemSummary {
  long boxes = 0;               // over every class
  long crystal_like_boxes = 0;  // classes.crystal-like.boxes
  long nanocrystal_boxes = 0;   // classes.nanocrystal.boxes
  std::vector<double> nanocrystal_diameters_nm;
  std::string format = "?";              // the reader that read the image
  std::string calibration_source = "?";  // where the pixel size came from
  double pixel_nm = kNoValue;
  // The sliding-grid area fraction (absent with --area-stride off).
  bool has_area = false;
  double specimen_area_nm2 = kNoValue;
  double ordered_area_fraction = kNoValue, ordered_area_low = kNoValue,
         ordered_area_high = kNoValue;  // 1, 95 % bootstrap
  // The detection limit at its middle spacing (absent: not measured): the fringe contrast found in 90 %
  // of whole boxes, infinite beyond the contrasts tried.
  double detection_spacing_nm = kNoValue, detection_contrast_90 = kNoValue;
};
HrtemSummary read_hrtem_summary(const std::filesystem::path& file);

// OUTDIR/<file>/summary.json of `mgscope hrtem --frames` (hrtem.series.schema.json): what the
// report pools of in-situ series, the box counts of each series' first and last point.
struct HrtemSeriesPoint {
  long ordered_boxes = 0, boxes = 0;  // crystal-like + nanocrystal specimen boxes, specimen boxes
};
struct HrtemSeriesSummary {
  int points = 0;
  std::string format = "?", calibration_source = "?";
  double pixel_nm = kNoValue;
  HrtemSeriesPoint first, last;
};
// nullopt for a summary that is not a series' (no "series" member): read it as an image's.
std::optional<HrtemSeriesSummary> read_hrtem_series_summary(const std::filesystem::path& file);

// One sample of OUTDIR/summary.json of `mgscope dsc` (dsc.summary.schema.json).
struct DscSampleSummary {
  double tg_onset_K = kNoValue;
  double tx_onset_K = kNoValue;
  // The first heating's first melting peak's onset (melting[0].onset_K), K; NaN when none was found.
  double tm_onset_K = kNoValue;
  double tm_onset_err_K = kNoValue;  // its uncertainty, as Tg's (Tm_onset_err_K)
  // Their uncertainty, the noise's and the settings' (dsc_uncertainty.hpp), K; NaN from summaries
  // written before it was.
  double tg_onset_err_K = kNoValue, tx_onset_err_K = kNoValue;
  double dH_rel = kNoValue;   // in enthalpy_unit
  double dH_rel_uncertainty = kNoValue;  // one standard uncertainty from the noise, enthalpy_unit
  std::string format = "?";   // the reader
  std::string enthalpy_unit;  // "" when no heating was analysed
  // Why a number may be n/a, as far as the summary says: the heating whose crystallisation was
  // taken ("none" when none was found), whether a reference heating was given, and the relaxation's
  // own message ("" when none was computed), and what each heating searched for a Tx said when
  // none was found ("" otherwise, or from a summary written before it was).
  std::string tx_from;
  bool has_reference = false;
  std::string relaxation_message;
  std::string tx_message;
};
std::vector<DscSampleSummary> read_dsc_summary(const std::filesystem::path& file);

// OUTDIR/summary.json of `mgscope creep` (creep.summary.schema.json): the repeats' statistics.
struct CreepSummary {
  MeanSdValue tau1_s, tau2_s;                    // retardation times, s
  MeanSdValue peak1_L_per_GPa, peak2_L_per_GPa;  // spectrum peak heights, 1/GPa
  MeanSdValue peak1_tau_s, peak2_tau_s;          // spectrum peak positions, s
};
CreepSummary read_creep_summary(const std::filesystem::path& file);

// OUTDIR/summary.json of `mgscope hardness` (hardness.summary.schema.json).
struct HardnessSummary {
  MeanSdValue hardness_GPa, modulus_GPa;
  std::string area_coefficients;  // options.area_coefficients as JSON text ("null" when absent)
  double frame_compliance_nm_per_mN = 0;  // options' (0 when absent: a summary from before the option)
};
HardnessSummary read_hardness_summary(const std::filesystem::path& file);

// A number with its standard error (NaN when absent).
struct EstimateValue {
  double value = kNoValue, se = kNoValue;
};

// OUTDIR/mce.json of `mgscope mce` (mce.schema.json): the first M(T) set-point, the highest
// field step of the entropy change, and the critical behaviour.
struct MceSummary {
  std::vector<std::string> input_variants;  // Quantum Design variant of each input
  // Per input: "fc.dat: 10 mg (header)" or "iso.dat: no mass (moment-only outputs)".
  std::vector<std::string> input_masses;
  std::string minus_dSm_unit = "?", cooling_power_unit = "?";
  double tc_K = kNoValue, tc_err_K = kNoValue;
  std::string tc_verdict;  // "ferromagnetic transition" or "no transition: <why>" ("" when no M(T))
  std::string mt_failure;  // why the first M(T) file given could not be read ("" when none failed)
  bool has_top_field = false;  // an entropy change was computed
  int isotherm_inputs = 0;     // inputs read that are not M(T) files (curie's): the M(H) isotherms
  double top_mu0H_T = kNoValue, top_minus_dSm_max = kNoValue, top_Tp_K = kNoValue, top_RCP = kNoValue;
  EstimateValue beta, gamma, delta, tc_crit_K;  // critical exponents (1) and Tc (K)
  std::string nearest_model;                    // "" when not determined
  double nearest_model_distance = kNoValue;
  int universal_collapses = -1;                 // -1 unknown, 0 no, 1 yes
  double universal_rms_spread = kNoValue;       // relative rms spread of the normalised -dSm curves
};
MceSummary read_mce_summary(const std::filesystem::path& file);

// OUTDIR/powerlaw.json of `mgscope powerlaw` (powerlaw.schema.json): the single-regime fit,
// y = prefactor_a * x^exponent_n, for the study's figure.
struct PowerLawSummary {
  bool usable = false;
  double prefactor_a = 0, exponent_n = 0, exponent_se = 0;
  int n_points = 0;
  // The doubts of the fit (rows at two fields, a narrow span): the study showed its n without them.
  std::vector<std::string> warnings;
};
PowerLawSummary read_powerlaw_summary(const std::filesystem::path& file);

// Every key path the readers above use, per schema file, for the test that checks each is
// declared there (and required there when the reader requires it). A path step "[]" is "every item of the array"; "*"
// is "every member".
struct SummaryKeyUse {
  std::string schema;  // file name in docs/schemas/
  std::vector<std::string> path;
  bool required = false;  // the reader rejects a summary without it (else it reads NaN or "?")
};
std::vector<SummaryKeyUse> summary_keys_read();

}  // namespace mgscope

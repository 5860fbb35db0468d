// The key names below are the only copies on the report's side of the module/report contract;
// docs/schemas/*.schema.json declare them (tests/pipelines/summary_schema_test.cpp checks). Keys
// read with need() must be there (the summary is rejected, naming the file and key); keys read
// with number_or_nan() or text_or() may be missing or null (a value the module could not find).
#include "pipelines/module_summaries.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>

#include "fitting/base/error.hpp"
#include "fitting/base/json.hpp"
#include "fitting/base/text_file.hpp"
#include "imaging/detection_limit.hpp"

namespace mgscope {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// One key path of a schema, and whether the report needs it (else it tolerates its absence).
struct Key {
  const char* schema;
  std::vector<std::string> path;
  bool required;
};

// --- hrtem.summary.schema.json ---
const Key kHrtemClasses{"hrtem.summary.schema.json", {"classes"}, true};
const Key kHrtemClassBoxes{"hrtem.summary.schema.json", {"classes", "*", "boxes"}, true};
const Key kHrtemCrystalLike{"hrtem.summary.schema.json", {"classes", "crystal-like", "boxes"}, true};
const Key kHrtemNanocrystal{"hrtem.summary.schema.json", {"classes", "nanocrystal", "boxes"}, true};
const Key kHrtemGroups{"hrtem.summary.schema.json", {"nanocrystals", "groups"}, true};
const Key kHrtemDiameter{"hrtem.summary.schema.json", {"nanocrystals", "groups", "[]", "diameter_nm"}, true};
const Key kHrtemInput{"hrtem.summary.schema.json", {"input"}, true};
const Key kHrtemFormat{"hrtem.summary.schema.json", {"input", "format"}, false};
const Key kHrtemCalibration{"hrtem.summary.schema.json", {"calibration"}, true};
const Key kHrtemCalSource{"hrtem.summary.schema.json", {"calibration", "source"}, false};
const Key kHrtemPixel{"hrtem.summary.schema.json", {"calibration", "pixel_nm"}, false};
const Key kHrtemSpecimenArea{"hrtem.summary.schema.json", {"area_map", "specimen_area_nm2"}, false};
const Key kHrtemAreaFraction{"hrtem.summary.schema.json", {"ordered", "ordered_area_fraction"}, false};
const Key kHrtemAreaInterval{
    "hrtem.summary.schema.json", {"ordered", "ordered_area_fraction_95ci_block_bootstrap"}, false};
const Key kHrtemDetectionSpacings{"hrtem.summary.schema.json", {"detection_limit", "spacing_nm"}, false};
const Key kHrtemDetection90{"hrtem.summary.schema.json", {"detection_limit", "fringe_contrast_90"}, false};
// --- hrtem.series.schema.json (an image folder of `mgscope hrtem --frames`) ---
const Key kSeries{"hrtem.series.schema.json", {"series"}, true};
const Key kSeriesPoints{"hrtem.series.schema.json", {"series", "points"}, true};
const Key kSeriesFormat{"hrtem.series.schema.json", {"input", "format"}, false};
const Key kSeriesCalSource{"hrtem.series.schema.json", {"calibration", "source"}, false};
const Key kSeriesPixel{"hrtem.series.schema.json", {"calibration", "pixel_nm"}, false};
const Key kSeriesFirst{"hrtem.series.schema.json", {"ordered_box_fraction", "first_point"}, true};
const Key kSeriesLast{"hrtem.series.schema.json", {"ordered_box_fraction", "last_point"}, true};
// Inside first_point and last_point.
const char* const kSeriesPointParts[] = {"ordered_boxes", "boxes"};
// --- dsc.summary.schema.json ---
const Key kDscSamples{"dsc.summary.schema.json", {"samples"}, true};
const Key kDscTg{"dsc.summary.schema.json", {"samples", "[]", "Tg_onset_K"}, false};
const Key kDscTx{"dsc.summary.schema.json", {"samples", "[]", "Tx_onset_K"}, false};
const Key kDscMelting{"dsc.summary.schema.json", {"samples", "[]", "melting"}, false};
const Key kDscMeltingOnset{"dsc.summary.schema.json", {"samples", "[]", "melting", "[]", "onset_K"}, false};
const Key kDscTmErr{"dsc.summary.schema.json", {"samples", "[]", "Tm_onset_err_K"}, false};
const Key kDscTgErr{"dsc.summary.schema.json", {"samples", "[]", "Tg_onset_err_K"}, false};
const Key kDscTxErr{"dsc.summary.schema.json", {"samples", "[]", "Tx_onset_err_K"}, false};
const Key kDscRel{"dsc.summary.schema.json", {"samples", "[]", "dH_rel"}, false};
const Key kDscRelUncertainty{"dsc.summary.schema.json", {"samples", "[]", "dH_rel_uncertainty"}, false};
const Key kDscFormat{"dsc.summary.schema.json", {"samples", "[]", "format"}, false};
const Key kDscEnthalpyUnit{"dsc.summary.schema.json", {"samples", "[]", "enthalpy_unit"}, false};
const Key kDscTxFrom{"dsc.summary.schema.json", {"samples", "[]", "Tx_from"}, false};
const Key kDscReference{"dsc.summary.schema.json", {"samples", "[]", "reference"}, false};
const Key kDscRelaxationMessage{"dsc.summary.schema.json", {"samples", "[]", "relaxation_message"}, false};
const Key kDscTxMessage{"dsc.summary.schema.json", {"samples", "[]", "Tx_message"}, false};
// --- creep.summary.schema.json ---
const Key kCreepRepeats{"creep.summary.schema.json", {"repeats"}, true};
const char* const kCreepStatistics[] = {"tau1_s", "tau2_s", "peak1_L_per_GPa", "peak2_L_per_GPa", "peak1_tau_s",
                                        "peak2_tau_s"};
// --- hardness.summary.schema.json ---
const Key kHardness{"hardness.summary.schema.json", {"hardness_GPa"}, false};
const Key kModulus{"hardness.summary.schema.json", {"modulus_GPa"}, false};
const Key kAreaCoefficients{"hardness.summary.schema.json", {"options", "area_coefficients"}, false};
const Key kFrameCompliance{"hardness.summary.schema.json", {"options", "frame_compliance_nm_per_mN"}, false};
// The members of every {mean, sd, n} object (the schemas' mean_sd definition).
const char* const kMeanSdParts[] = {"mean", "sd", "n"};
// --- mce.schema.json ---
const Key kMceVariant{"mce.schema.json", {"inputs", "[]", "variant"}, false};
const Key kMceFile{"mce.schema.json", {"inputs", "[]", "file"}, false};
const Key kMceMass{"mce.schema.json", {"inputs", "[]", "mass_mg"}, false};
const Key kMceMassSource{"mce.schema.json", {"inputs", "[]", "mass_source"}, false};
const Key kMceDsUnit{"mce.schema.json", {"units", "minus_dSm"}, false};
const Key kMceRcUnit{"mce.schema.json", {"units", "RCP_RC"}, false};
const Key kMceTc{"mce.schema.json", {"curie", "[]", "Tc_K"}, false};
const Key kMceTcErr{"mce.schema.json", {"curie", "[]", "Tc_err_K"}, false};
const Key kMceTcVerdict{"mce.schema.json", {"curie", "[]", "verdict"}, false};
const Key kMceCurieFile{"mce.schema.json", {"curie", "[]", "file"}, false};
const Key kMceMtFailure{"mce.schema.json", {"mt_failures", "[]", "message"}, false};
const Key kMceMerits{"mce.schema.json", {"entropy", "merit_by_field"}, false};
const Key kMceField{"mce.schema.json", {"entropy", "merit_by_field", "[]", "mu0H_T"}, false};
const Key kMcePeak{"mce.schema.json", {"entropy", "merit_by_field", "[]", "minus_dSm_max"}, false};
const Key kMceTp{"mce.schema.json", {"entropy", "merit_by_field", "[]", "Tp_K"}, false};
const Key kMceRcp{"mce.schema.json", {"entropy", "merit_by_field", "[]", "RCP"}, false};
const Key kMceBeta{"mce.schema.json", {"critical", "beta"}, false};
const Key kMceGamma{"mce.schema.json", {"critical", "gamma"}, false};
const Key kMceDelta{"mce.schema.json", {"critical", "delta"}, false};
const Key kMceTcCrit{"mce.schema.json", {"critical", "Tc_K"}, false};
const Key kMceModel{"mce.schema.json", {"critical", "nearest_model"}, false};
const Key kMceModelDistance{"mce.schema.json", {"critical", "nearest_model_distance"}, false};
const Key kMceCollapses{"mce.schema.json", {"universal_curve", "collapses"}, false};
const Key kMceSpread{"mce.schema.json", {"universal_curve", "rms_spread"}, false};
constexpr const char* kEstimateParts[] = {"value", "se"};
// --- powerlaw.schema.json ---
const Key kPowerLawFit{"powerlaw.schema.json", {"fit"}, true};
const Key kPowerLawUsable{"powerlaw.schema.json", {"fit", "usable"}, false};
const Key kPowerLawPrefactor{"powerlaw.schema.json", {"fit", "prefactor_a"}, false};
const Key kPowerLawExponent{"powerlaw.schema.json", {"fit", "exponent_n"}, false};
const Key kPowerLawExponentSe{"powerlaw.schema.json", {"fit", "exponent_se"}, false};
const Key kPowerLawPoints{"powerlaw.schema.json", {"fit", "N"}, false};
const Key kPowerLawFitWarnings{"powerlaw.schema.json", {"fit", "warnings"}, false};
const Key kPowerLawWarnings{"powerlaw.schema.json", {"warnings"}, false};
const Key kPowerLawTwoRegimeWarnings{"powerlaw.schema.json", {"two_regime", "warnings"}, false};

// The member a key names inside `parent` (the object its path leads to).
const std::string& leaf(const Key& k) { return k.path.back(); }

json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) fail_input(p.string(), "missing (the module wrote no summary)");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    fail_input(p.string(), std::string("not valid JSON: ") + e.what());
  }
}

std::string dotted(const Key& k) {
  std::string s;
  for (const std::string& step : k.path) s += (s.empty() || step == "[]" ? "" : ".") + step;
  return s;
}

// A required member: its absence makes the summary unusable for the report.
const json& need(const json& parent, const Key& k, const fs::path& file) {
  if (!parent.is_object() || !parent.contains(leaf(k)))
    fail_input(file.string(), "no '" + dotted(k) + "' (see docs/schemas/" + k.schema + ")");
  return parent[leaf(k)];
}
// The object a key's last step is read from, when the step before names it (classes.nanocrystal).
const json& need_parent(const json& grandparent, const Key& k, const fs::path& file) {
  const std::string& name = k.path[k.path.size() - 2];
  if (!grandparent.is_object() || !grandparent.contains(name))
    fail_input(file.string(), "no '" + dotted(k) + "' (see docs/schemas/" + k.schema + ")");
  return grandparent[name];
}

template <class T>
T need_as(const json& parent, const Key& k, const fs::path& file) {
  const json& v = need(parent, k, file);
  try {
    return v.get<T>();
  } catch (const json::exception&) {
    fail_input(file.string(), "'" + dotted(k) + "' is " + v.dump() + " (see docs/schemas/" + k.schema + ")");
  }
}

double number_or_nan(const json& parent, const Key& k) {
  if (!parent.is_object() || !parent.contains(leaf(k)) || !parent[leaf(k)].is_number()) return kNoValue;
  return parent[leaf(k)].get<double>();
}

std::string text_or(const json& parent, const Key& k, const std::string& otherwise) {
  if (!parent.is_object() || !parent.contains(leaf(k)) || !parent[leaf(k)].is_string()) return otherwise;
  return parent[leaf(k)].get<std::string>();
}

const json& member_or_null(const json& parent, const std::string& name) {
  static const json null;
  return parent.is_object() && parent.contains(name) ? parent[name] : null;
}

MeanSdValue mean_sd_of(const json& m) {
  const auto [mean, sd, n] = kMeanSdParts;
  auto number = [&](const char* key) {
    return m.is_object() && m.contains(key) && m[key].is_number() ? m[key].get<double>() : kNoValue;
  };
  MeanSdValue v;
  v.mean = number(mean);
  v.sd = number(sd);
  v.n = std::isfinite(number(n)) ? m[n].get<int>() : 0;
  return v;
}

}  // namespace

HrtemSummary read_hrtem_summary(const fs::path& file) {
  const json s = read_json(file);
  HrtemSummary out;
  const json& classes = need(s, kHrtemClasses, file);
  if (!classes.is_object()) fail_input(file.string(), "'classes' is not an object");
  out.crystal_like_boxes = need_as<long>(need_parent(classes, kHrtemCrystalLike, file), kHrtemCrystalLike, file);
  out.nanocrystal_boxes = need_as<long>(need_parent(classes, kHrtemNanocrystal, file), kHrtemNanocrystal, file);
  for (const auto& [name, c] : classes.items()) out.boxes += need_as<long>(c, kHrtemClassBoxes, file);
  for (const json& g : need(need_parent(s, kHrtemGroups, file), kHrtemGroups, file))
    out.nanocrystal_diameters_nm.push_back(need_as<double>(g, kHrtemDiameter, file));
  out.format = text_or(need(s, kHrtemInput, file), kHrtemFormat, "?");
  const json& cal = need(s, kHrtemCalibration, file);
  out.calibration_source = text_or(cal, kHrtemCalSource, "?");
  out.pixel_nm = number_or_nan(cal, kHrtemPixel);
  const json& ordered = member_or_null(s, kHrtemAreaFraction.path[0]);
  const json& area_map = member_or_null(s, kHrtemSpecimenArea.path[0]);
  out.ordered_area_fraction = number_or_nan(ordered, kHrtemAreaFraction);
  out.has_area = area_map.is_object() && std::isfinite(out.ordered_area_fraction);
  if (out.has_area) {
    out.specimen_area_nm2 = number_or_nan(area_map, kHrtemSpecimenArea);
    const json& ci = member_or_null(ordered, leaf(kHrtemAreaInterval));
    if (ci.is_array() && ci.size() == 2) {
      out.ordered_area_low = ci[0].is_number() ? ci[0].get<double>() : kNoValue;
      out.ordered_area_high = ci[1].is_number() ? ci[1].get<double>() : kNoValue;
    }
  }
  // The middle spacing's limit (0.300 nm by default): null there is a contrast beyond those tried.
  const json& limit = member_or_null(s, kHrtemDetection90.path[0]);
  const json& spacings = member_or_null(limit, leaf(kHrtemDetectionSpacings));
  const json& contrasts = member_or_null(limit, leaf(kHrtemDetection90));
  if (spacings.is_array() && contrasts.is_array() && spacings.size() == contrasts.size() && !spacings.empty()) {
    const std::size_t middle = middle_spacing_index(spacings.size());
    if (spacings[middle].is_number()) {
      out.detection_spacing_nm = spacings[middle].get<double>();
      out.detection_contrast_90 =
          contrasts[middle].is_number() ? contrasts[middle].get<double>() : std::numeric_limits<double>::infinity();
    }
  }
  return out;
}

std::optional<HrtemSeriesSummary> read_hrtem_series_summary(const fs::path& file) {
  const json s = read_json(file);
  if (!s.is_object() || !s.contains(leaf(kSeries))) return std::nullopt;
  HrtemSeriesSummary out;
  const json& series = need(s, kSeries, file);
  out.points = need_as<int>(series, kSeriesPoints, file);
  out.format = text_or(member_or_null(s, kSeriesFormat.path[0]), kSeriesFormat, "?");
  const json& cal = member_or_null(s, kSeriesCalSource.path[0]);
  out.calibration_source = text_or(cal, kSeriesCalSource, "?");
  out.pixel_nm = number_or_nan(cal, kSeriesPixel);
  for (const auto& key_point : {std::pair{&kSeriesFirst, &out.first}, std::pair{&kSeriesLast, &out.last}}) {
    // Named, not a structured binding: a C++17 lambda cannot capture one (clang refuses it).
    const Key* const key = key_point.first;
    HrtemSeriesPoint* const point = key_point.second;
    const json& p = need(need_parent(s, *key, file), *key, file);
    auto part = [&](const char* name) { return Key{key->schema, {key->path[0], key->path[1], name}, true}; };
    point->ordered_boxes = need_as<long>(p, part(kSeriesPointParts[0]), file);
    point->boxes = need_as<long>(p, part(kSeriesPointParts[1]), file);
  }
  return out;
}

std::vector<DscSampleSummary> read_dsc_summary(const fs::path& file) {
  const json s = read_json(file);
  std::vector<DscSampleSummary> out;
  for (const json& x : need(s, kDscSamples, file)) {
    DscSampleSummary d;
    d.tg_onset_K = number_or_nan(x, kDscTg);
    d.tx_onset_K = number_or_nan(x, kDscTx);
    const json& melting = member_or_null(x, leaf(kDscMelting));
    if (melting.is_array() && !melting.empty()) d.tm_onset_K = number_or_nan(melting.front(), kDscMeltingOnset);
    d.tm_onset_err_K = number_or_nan(x, kDscTmErr);
    d.tg_onset_err_K = number_or_nan(x, kDscTgErr);
    d.tx_onset_err_K = number_or_nan(x, kDscTxErr);
    d.dH_rel = number_or_nan(x, kDscRel);
    d.dH_rel_uncertainty = number_or_nan(x, kDscRelUncertainty);
    d.format = text_or(x, kDscFormat, "?");
    d.enthalpy_unit = text_or(x, kDscEnthalpyUnit, "");
    d.tx_from = text_or(x, kDscTxFrom, "");
    d.has_reference = x.is_object() && x.contains(leaf(kDscReference)) && !x[leaf(kDscReference)].is_null();
    d.relaxation_message = text_or(x, kDscRelaxationMessage, "");
    d.tx_message = text_or(x, kDscTxMessage, "");
    out.push_back(d);
  }
  return out;
}

CreepSummary read_creep_summary(const fs::path& file) {
  const json s = read_json(file);
  const json& r = need(s, kCreepRepeats, file);
  CreepSummary out;
  MeanSdValue* const fields[] = {&out.tau1_s, &out.tau2_s, &out.peak1_L_per_GPa, &out.peak2_L_per_GPa,
                                 &out.peak1_tau_s, &out.peak2_tau_s};
  for (std::size_t i = 0; i < std::size(kCreepStatistics); ++i)
    *fields[i] = mean_sd_of(member_or_null(r, kCreepStatistics[i]));
  return out;
}

HardnessSummary read_hardness_summary(const fs::path& file) {
  const json s = read_json(file);
  HardnessSummary out;
  out.hardness_GPa = mean_sd_of(member_or_null(s, leaf(kHardness)));
  out.modulus_GPa = mean_sd_of(member_or_null(s, leaf(kModulus)));
  const json& options = member_or_null(s, kAreaCoefficients.path[0]);
  out.area_coefficients = member_or_null(options, leaf(kAreaCoefficients)).dump();
  if (const double c = number_or_nan(options, kFrameCompliance); std::isfinite(c)) out.frame_compliance_nm_per_mN = c;
  return out;
}

MceSummary read_mce_summary(const fs::path& file) {
  const json s = read_json(file);
  MceSummary out;
  const json& inputs = member_or_null(s, kMceVariant.path[0]);
  if (inputs.is_array())
    for (const json& in : inputs) {
      out.input_variants.push_back(text_or(in, kMceVariant, "?"));
      const std::string name = fs::path(text_or(in, kMceFile, "?")).filename().string();
      const double mass = number_or_nan(in, kMceMass);
      out.input_masses.push_back(name + ": " + (std::isfinite(mass) ? number_text(mass, 6) + " mg (" +
                                                                          text_or(in, kMceMassSource, "?") + ")"
                                                                    : std::string("no mass (moment-only outputs)")));
    }
  const json& units = member_or_null(s, kMceDsUnit.path[0]);
  out.minus_dSm_unit = text_or(units, kMceDsUnit, "?");
  out.cooling_power_unit = text_or(units, kMceRcUnit, "?");
  const json& curie = member_or_null(s, kMceTc.path[0]);
  std::set<std::string> mt_files;
  if (curie.is_array())
    for (const json& c : curie) mt_files.insert(text_or(c, kMceCurieFile, ""));
  if (inputs.is_array())
    for (const json& in : inputs) out.isotherm_inputs += mt_files.count(text_or(in, kMceFile, "")) == 0;
  if (curie.is_array() && !curie.empty()) {
    out.tc_K = number_or_nan(curie[0], kMceTc);
    out.tc_err_K = number_or_nan(curie[0], kMceTcErr);
    out.tc_verdict = text_or(curie[0], kMceTcVerdict, "");
  }
  const json& mt_failures = member_or_null(s, kMceMtFailure.path[0]);
  if (mt_failures.is_array() && !mt_failures.empty()) out.mt_failure = text_or(mt_failures[0], kMceMtFailure, "");
  const json& merits = member_or_null(member_or_null(s, kMceMerits.path[0]), leaf(kMceMerits));
  if (merits.is_array() && !merits.empty() && merits.back().is_object()) {
    const json& top = merits.back();  // the highest field step
    out.has_top_field = true;
    out.top_mu0H_T = number_or_nan(top, kMceField);
    out.top_minus_dSm_max = number_or_nan(top, kMcePeak);
    out.top_Tp_K = number_or_nan(top, kMceTp);
    out.top_RCP = number_or_nan(top, kMceRcp);
  }
  const json& critical = member_or_null(s, kMceBeta.path[0]);
  const auto estimate = [&](const Key& k) {
    const json& e = member_or_null(critical, leaf(k));
    return EstimateValue{
        e.is_object() && e.contains("value") && e["value"].is_number() ? e["value"].get<double>() : kNoValue,
        e.is_object() && e.contains("se") && e["se"].is_number() ? e["se"].get<double>() : kNoValue};
  };
  out.beta = estimate(kMceBeta);
  out.gamma = estimate(kMceGamma);
  out.delta = estimate(kMceDelta);
  out.tc_crit_K = estimate(kMceTcCrit);
  out.nearest_model = text_or(critical, kMceModel, "");
  out.nearest_model_distance = number_or_nan(critical, kMceModelDistance);
  const json& universal = member_or_null(s, kMceCollapses.path[0]);
  const json& collapses = member_or_null(universal, leaf(kMceCollapses));
  if (collapses.is_boolean()) out.universal_collapses = collapses.get<bool>() ? 1 : 0;
  out.universal_rms_spread = number_or_nan(universal, kMceSpread);
  return out;
}

PowerLawSummary read_powerlaw_summary(const fs::path& file) {
  const json s = read_json(file);
  const json& fit = need(s, kPowerLawFit, file);
  auto number_or_zero = [&](const Key& k) {
    const double v = number_or_nan(fit, k);
    return std::isfinite(v) ? v : 0.0;
  };
  PowerLawSummary out;
  const json& usable = member_or_null(fit, leaf(kPowerLawUsable));
  out.usable = usable.is_boolean() && usable.get<bool>();
  out.prefactor_a = number_or_zero(kPowerLawPrefactor);
  out.exponent_n = number_or_zero(kPowerLawExponent);
  out.exponent_se = number_or_zero(kPowerLawExponentSe);
  out.n_points = int(number_or_zero(kPowerLawPoints));
  const auto texts = [](const json& list) {
    std::vector<std::string> t;
    if (list.is_array())
      for (const json& w : list)
        if (w.is_string()) t.push_back(w.get<std::string>());
    return t;
  };
  const json& fit_warnings = member_or_null(fit, leaf(kPowerLawFitWarnings));
  if (fit_warnings.is_array()) {
    out.warnings = texts(fit_warnings);
  } else {
    // An older file keeps the fit's doubts in the file's list only, with the two regimes'.
    const std::vector<std::string> regimes =
        texts(member_or_null(member_or_null(s, kPowerLawTwoRegimeWarnings.path[0]), leaf(kPowerLawTwoRegimeWarnings)));
    for (const std::string& w : texts(member_or_null(s, leaf(kPowerLawWarnings))))
      if (std::find(regimes.begin(), regimes.end(), w) == regimes.end()) out.warnings.push_back(w);
  }
  return out;
}

std::vector<SummaryKeyUse> summary_keys_read() {
  std::vector<SummaryKeyUse> out;
  for (const Key* k : {&kHrtemClasses,
                       &kHrtemClassBoxes,
                       &kHrtemCrystalLike,
                       &kHrtemNanocrystal,
                       &kHrtemGroups,
                       &kHrtemDiameter,
                       &kHrtemInput,
                       &kHrtemFormat,
                       &kHrtemCalibration,
                       &kHrtemCalSource,
                       &kHrtemPixel,
                       &kHrtemSpecimenArea,
                       &kHrtemAreaFraction,
                       &kHrtemAreaInterval,
                       &kHrtemDetectionSpacings,
                       &kHrtemDetection90,
                       &kDscSamples,
                       &kDscTg,
                       &kDscTx,
                       &kDscMelting,
                       &kDscMeltingOnset,
                       &kDscTmErr,
                       &kDscTgErr,
                       &kDscTxErr,
                       &kDscRel,
                       &kDscFormat,
                       &kDscEnthalpyUnit,
                       &kDscTxFrom,
                       &kDscReference,
                       &kDscRelaxationMessage,
                       &kDscTxMessage,
                       &kCreepRepeats,
                       &kHardness,
                       &kModulus,
                       &kAreaCoefficients,
                       &kFrameCompliance,
                       &kMceVariant,
                       &kMceDsUnit,
                       &kMceRcUnit,
                       &kMceTc,
                       &kMceTcErr,
                       &kMceTcVerdict,
                       &kMceCurieFile,
                       &kMceFile,
                       &kMceMerits,
                       &kMceField,
                       &kMcePeak,
                       &kMceTp,
                       &kMceRcp,
                       &kMceModel,
                       &kMceModelDistance,
                       &kMceCollapses,
                       &kMceSpread,
                       &kPowerLawFit,
                       &kPowerLawUsable,
                       &kPowerLawPrefactor,
                       &kPowerLawExponent,
                       &kPowerLawExponentSe,
                       &kPowerLawPoints,
                       &kPowerLawFitWarnings,
                       &kPowerLawWarnings,
                       &kPowerLawTwoRegimeWarnings})
    out.push_back({k->schema, k->path, k->required});
  for (const Key* k : {&kSeries, &kSeriesPoints, &kSeriesFormat, &kSeriesCalSource, &kSeriesPixel,
                       &kSeriesFirst, &kSeriesLast}) {
    out.push_back({k->schema, k->path, k->required});
    if (k == &kSeriesFirst || k == &kSeriesLast)
      for (const char* part : kSeriesPointParts) out.push_back({k->schema, {k->path[0], k->path[1], part}, true});
  }
  for (const char* statistic : kCreepStatistics)
    for (const char* part : kMeanSdParts)
      out.push_back({kCreepRepeats.schema, {leaf(kCreepRepeats), statistic, part}, false});
  for (const Key* k : {&kHardness, &kModulus})
    for (const char* part : kMeanSdParts) out.push_back({k->schema, {leaf(*k), part}, false});
  for (const Key* k : {&kMceBeta, &kMceGamma, &kMceDelta, &kMceTcCrit})
    for (const char* part : kEstimateParts) out.push_back({k->schema, {k->path[0], leaf(*k), part}, false});
  return out;
}

}  // namespace mgscope

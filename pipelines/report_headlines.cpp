// One mapping per module from its written summary to the report's headline quantities. They read
// files (through the typed views of module_summaries.hpp, which hold the key names), not library
// structs, so a module is reported the same whether it ran now or earlier.
#include "pipelines/report_headlines.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>

#include "fitting/base/error.hpp"
#include "fitting/base/nan.hpp"
#include "fitting/base/statistics.hpp"
#include "fitting/io/indent_readers.hpp"
#include "pipelines/csv_format.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/module_summaries.hpp"

namespace mgscope {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {


double number_at(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return kNaN;
  return j[key].get<double>();
}

json none() { return {{"kind", "none"}}; }
json sd_of(const MeanSd& m) { return {{"kind", "sd"}, {"sd", json_number(m.sd)}, {"n", m.n}}; }
json wilson(long k, long n) {
  const Interval ci = wilson_interval(k, n);
  return {{"kind", "ci95_wilson"}, {"low", json_number(ci.low)}, {"high", json_number(ci.high)}, {"n", n}};
}

// Assembles the quantities of one module, all sharing its provenance.
struct Headlines {
  json out = json::object();
  json provenance;
  void add(const std::string& key, const std::string& label, double value, const std::string& unit,
           json uncertainty) {
    out[key] = {{"label", label}, {"value", json_number(value)}, {"unit", unit},
                {"uncertainty", std::move(uncertainty)}, {"provenance", provenance}};
  }
  // A verdict: its words in `text`, the number behind it in `value`.
  void add_verdict(const std::string& key, const std::string& label, const std::string& text, double value,
                   const std::string& unit) {
    add(key, label, value, unit, none());
    if (!text.empty()) out[key]["text"] = text;
  }
  // An estimate with its standard error.
  void add_estimate(const std::string& key, const std::string& label, const EstimateValue& e, const std::string& unit) {
    add(key, label, e.value, unit, std::isfinite(e.se) ? json{{"kind", "se"}, {"se", e.se}} : none());
  }
  // A {mean, sd, n} statistic of the module's summary.
  void add_mean_sd(const std::string& key, const std::string& label, const MeanSdValue& m, const std::string& unit) {
    MeanSd s;
    s.mean = m.mean;
    s.sd = m.sd;
    s.n = m.n;
    add(key, label, s.n > 0 ? s.mean : kNaN, unit, s.n > 1 ? sd_of(s) : none());
  }
};

std::string joined(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : "; ") + x;
  return out;
}

// The indentation summaries do not name the reader: the files' content does, by the rules
// read_indent_file picks its reader with (and `mgscope init` sorts files with).
std::string indentation_formats(const json& provenance) {
  std::set<std::string> kinds;
  for (const json& f : provenance.value("files", json::array())) {
    try {
      const IndentFormat format = detect_indent_format(f.get<std::string>());
      if (format != IndentFormat::unknown) kinds.insert(indent_format_name(format));
    } catch (const InputError&) {
      // A file gone since the module ran names no reader; the others still do.
    }
  }
  return kinds.empty() ? "unknown" : joined(kinds);
}

// The ordered area fraction of several images: specimen-area weighted; its interval from the
// per-image bootstrap intervals as if normal (se = width / 3.92), weighted alike. One image: its own.
json pooled_area_fraction(const std::vector<std::array<double, 4>>& images, double& value) {
  double area = 0, ordered = 0, var = 0;
  for (const auto& [a, f, low, high] : images) {
    area += a;
    ordered += a * f;
  }
  value = area > 0 ? ordered / area : kNaN;
  if (images.size() == 1)
    return {{"kind", "ci95_bootstrap"}, {"low", json_number(images[0][2])}, {"high", json_number(images[0][3])}};
  for (const auto& [a, f, low, high] : images) {
    const double se = (high - low) / 3.92, w = a / area;
    var += w * w * se * se;
  }
  const double half = 1.959963984540054 * std::sqrt(var);
  return {{"kind", "ci95_bootstrap"},
          {"low", json_number(std::max(0.0, value - half))},
          {"high", json_number(std::min(1.0, value + half))}};
}

// The in-situ series' first and last points, each pooled over the series (Wilson 95 %). The labels
// stay the same from sample to sample (a study takes one sample's label for its row); when the
// last point was is on the series' figure and in its summary.json.
void add_series_headlines(const std::vector<HrtemSeriesSummary>& series, Headlines& h) {
  long first_ordered = 0, first_boxes = 0, last_ordered = 0, last_boxes = 0;
  for (const HrtemSeriesSummary& s : series) {
    first_ordered += s.first.ordered_boxes;
    first_boxes += s.first.boxes;
    last_ordered += s.last.ordered_boxes;
    last_boxes += s.last.boxes;
  }
  auto fraction = [](long k, long n) { return n > 0 ? double(k) / double(n) : kNaN; };
  h.add("ordered_fraction_series_first", "In-situ series: ordered box fraction at the first point",
        fraction(first_ordered, first_boxes), "1", wilson(first_ordered, first_boxes));
  h.add("ordered_fraction_series_last", "In-situ series: ordered box fraction at the last point",
        fraction(last_ordered, last_boxes), "1", wilson(last_ordered, last_boxes));
}

json hrtem_headlines(const fs::path& dir, json provenance) {
  long boxes = 0, crystal = 0, nano = 0;
  std::vector<std::array<double, 4>> areas;  // specimen area, ordered area fraction, 95 % low, high
  bool every_area = true;
  std::vector<double> diameters;
  std::set<std::string> formats, calibrations;
  int images = 0;
  // The detection limit's contrast at the middle spacing, the largest over the images (NaN: an image
  // without one, or images at different spacings).
  double detection_spacing_nm = kNaN, detection_contrast = -std::numeric_limits<double>::infinity();
  // In-situ series (--frames): the ordered boxes of their first and of their last points, pooled
  // apart from the images (a series is not one state of the sample).
  std::vector<HrtemSeriesSummary> series;
  auto calibration_text = [](const std::string& source, double pixel_nm) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s (%.6g nm/px)", source.c_str(), pixel_nm);
    return std::string(buf);
  };
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path summary = entry.path() / "summary.json";
    if (!entry.is_directory() || !fs::exists(summary)) continue;
    if (auto one = read_hrtem_series_summary(summary)) {
      formats.insert(one->format);
      calibrations.insert(calibration_text(one->calibration_source, one->pixel_nm));
      series.push_back(*one);
      continue;
    }
    const HrtemSummary s = read_hrtem_summary(summary);
    ++images;
    crystal += s.crystal_like_boxes;
    nano += s.nanocrystal_boxes;
    boxes += s.boxes;
    diameters.insert(diameters.end(), s.nanocrystal_diameters_nm.begin(), s.nanocrystal_diameters_nm.end());
    formats.insert(s.format);
    if (s.has_area)
      areas.push_back({s.specimen_area_nm2, s.ordered_area_fraction, s.ordered_area_low, s.ordered_area_high});
    else
      every_area = false;
    calibrations.insert(calibration_text(s.calibration_source, s.pixel_nm));
    if (images == 1) detection_spacing_nm = s.detection_spacing_nm;
    if (!(std::fabs(s.detection_spacing_nm - detection_spacing_nm) <= 1e-9 * detection_spacing_nm))
      detection_spacing_nm = kNaN;
    detection_contrast = std::max(detection_contrast, s.detection_contrast_90);
  }
  if (images == 0 && series.empty()) fail_input((dir / "*/summary.json").string(), "missing (no image was analysed)");
  provenance["reader"] = joined(formats);
  provenance["calibration"] = joined(calibrations);
  Headlines h{json::object(), provenance};
  if (!series.empty()) add_series_headlines(series, h);
  if (images == 0) return h.out;
  const double n = boxes > 0 ? double(boxes) : kNaN;
  h.add("ordered_fraction", "Ordered box fraction (crystal-like + nanocrystal boxes)", double(crystal + nano) / n,
        "1", wilson(crystal + nano, boxes));
  if (every_area && !areas.empty()) {
    double area_fraction = kNaN;
    const json u = pooled_area_fraction(areas, area_fraction);
    h.add("ordered_area_fraction", "Ordered area fraction (sliding boxes, pixel vote)", area_fraction, "1", u);
  }
  h.add("crystal_like_fraction", "Crystal-like fraction", double(crystal) / n, "1", wilson(crystal, boxes));
  h.add("nanocrystal_fraction", "Nanocrystal fraction", double(nano) / n, "1", wilson(nano, boxes));
  h.add("nanocrystal_median_diameter", "Nanocrystal median diameter", median(diameters), "nm",
        {{"kind", "none"}, {"n", diameters.size()}});
  // How weak order goes unseen, beside the fractions it bounds: the fringe contrast found in 90 % of
  // whole boxes, the worst image's (a study's samples compared at different limits compare their
  // images' quality as much as their order). The label is short: it is a study figure's axis.
  if (std::isfinite(detection_spacing_nm)) {
    char label[200];
    std::snprintf(label, sizeof label, "Detection limit: fringe contrast at %.3f nm", detection_spacing_nm);
    // Two significant digits: the model's limit fits glass within about 15 % (docs/hrtem.md), and four
    // would say otherwise.
    h.add("detection_contrast_90", label, std::strtod(number_text(detection_contrast, 2).c_str(), nullptr), "1",
          none());
  }
  return h.out;
}

// Why a scan has no Tg, Tx or dH_rel, as far as its summary says; "" when it does not say.
// Eicosane's scan (no glass) gave Tg "n/a: this module's warnings say why", beside a warning about
// its missing reference heating only.
std::array<std::string, 3> dsc_reasons(const DscSampleSummary& x) {
  std::array<std::string, 3> why;  // Tg, Tx, dH_rel
  const bool heating_analysed = !x.enthalpy_unit.empty();
  if (heating_analysed && !std::isfinite(x.tg_onset_K)) why[0] = "no glass transition found in the first heating";
  // With what each heating said: a reference heating cut short inside its exotherm read as no peak.
  if (heating_analysed && x.tx_from == "none")
    why[1] = "no crystallisation peak found in the heatings analysed" +
             (x.tx_message.empty() ? "" : " (" + x.tx_message + ")");
  if (!std::isfinite(x.dH_rel))
    why[2] = !x.relaxation_message.empty() ? x.relaxation_message
             : !x.has_reference            ? "no reference heating to compare the first with (the dsc option reference)"
                                           : "";
  return why;
}

// The reason of an n/a pooled over scans: the scans' reasons when each gave one, said once each.
std::string pooled_reason(const std::vector<std::string>& reasons) {
  std::vector<std::string> unique;
  for (const std::string& r : reasons) {
    if (r.empty()) return "";
    if (std::find(unique.begin(), unique.end(), r) == unique.end()) unique.push_back(r);
  }
  std::string out;
  for (const std::string& r : unique) out += (out.empty() ? "" : "; ") + r;
  return out;
}

json dsc_headlines(const fs::path& dir, json provenance) {
  std::vector<double> tg, tx, rel, rel_uncertainty, tg_err, tx_err, tm, tm_err;
  std::set<std::string> formats, units;
  std::array<std::vector<std::string>, 3> reasons;  // Tg, Tx, dH_rel: each scan's
  for (const DscSampleSummary& x : read_dsc_summary(dir / "summary.json")) {
    tg.push_back(x.tg_onset_K);
    tx.push_back(x.tx_onset_K);
    tm.push_back(x.tm_onset_K);
    tm_err.push_back(x.tm_onset_err_K);
    tg_err.push_back(x.tg_onset_err_K);
    tx_err.push_back(x.tx_onset_err_K);
    rel.push_back(x.dH_rel);
    rel_uncertainty.push_back(x.dH_rel_uncertainty);
    formats.insert(x.format);
    if (!x.enthalpy_unit.empty()) units.insert(x.enthalpy_unit);
    const std::array<std::string, 3> why = dsc_reasons(x);
    for (std::size_t k = 0; k < why.size(); ++k) reasons[k].push_back(why[k]);
  }
  provenance["reader"] = joined(formats);
  provenance["calibration"] = "the instrument's (temperatures and heat flow as exported)";
  Headlines h{json::object(), provenance};
  // Over several scans the sd; one scan's own uncertainty (dH_rel's from the noise; Tg's, Tx's and
  // Tm's from the noise and the constructions' settings), which the page had left out.
  const auto uncertainty = [](const MeanSd& m, const std::vector<double>& own) {
    const double u = own.size() == 1 ? own.front() : kNaN;
    return m.n > 1 ? sd_of(m) : std::isfinite(u) && m.n == 1 ? json{{"kind", "se"}, {"se", u}} : none();
  };
  // Each number with the index of its reasons.
  const std::string rel_unit = units.size() == 1 ? *units.begin() : joined(units);
  for (auto [key, label, values, own, unit, reason] :
       {std::tuple{"Tg", "Glass transition Tg (onset)", &tg, &tg_err, std::string("K"), 0},
        std::tuple{"Tx", "Crystallisation Tx (onset)", &tx, &tx_err, std::string("K"), 1},
        std::tuple{"dH_rel", "Relaxation enthalpy ΔH_rel", &rel, &rel_uncertainty, rel_unit, 2}}) {
    const MeanSd m = mean_sd(*values);
    h.add(key, label, m.n > 0 ? m.mean : kNaN, unit, uncertainty(m, *own));
    const std::string why = pooled_reason(reasons[std::size_t(reason)]);
    if (m.n == 0 && !why.empty()) h.out[key]["reason"] = why;
  }
  // The first heating's melting, only where a scan has one (a glass's scan seldom reaches it): the
  // page drew the real eicosane's melting construction but gave no number, only three n/a's.
  if (const MeanSd m = mean_sd(tm); m.n > 0) h.add("Tm", "Melting Tm (onset)", m.mean, "K", uncertainty(m, tm_err));
  return h.out;
}

json creep_headlines(const fs::path& dir, json provenance) {
  const CreepSummary s = read_creep_summary(dir / "summary.json");
  provenance["reader"] = indentation_formats(provenance);
  provenance["calibration"] = "the instrument's (depth and load as exported)";
  Headlines h{json::object(), provenance};
  h.add_mean_sd("tau_1", "Retardation time τ_1", s.tau1_s, "s");
  h.add_mean_sd("tau_2", "Retardation time τ_2", s.tau2_s, "s");
  h.add_mean_sd("L1_peak", "Spectrum peak L1 height", s.peak1_L_per_GPa, "1/GPa");
  h.add_mean_sd("L2_peak", "Spectrum peak L2 height", s.peak2_L_per_GPa, "1/GPa");
  h.add_mean_sd("L1_tau", "Spectrum peak L1 position", s.peak1_tau_s, "s");
  h.add_mean_sd("L2_tau", "Spectrum peak L2 position", s.peak2_tau_s, "s");
  return h.out;
}

json hardness_headlines(const fs::path& dir, json provenance) {
  const HardnessSummary s = read_hardness_summary(dir / "summary.json");
  provenance["reader"] = indentation_formats(provenance);
  // The default area function is the ideal Berkovich tip, not a calibration of the tip used: say
  // so, since a blunted tip makes H and E read high at shallow depths.
  const json coefficients = json::parse(s.area_coefficients, nullptr, false);
  const bool ideal = coefficients.is_array() && coefficients.size() == 1 && coefficients[0].is_number() &&
                     coefficients[0].get<double>() == 24.5;
  provenance["calibration"] =
      (ideal ? "ideal Berkovich area function A = 24.5 h_c^2 (the default, not a tip calibration)"
             : "tip area function with coefficients " + s.area_coefficients + " (A = C0 h_c^2 + C1 h_c + ...)") +
      (s.frame_compliance_nm_per_mN > 0
           ? "; frame compliance " + number_text(s.frame_compliance_nm_per_mN, 4) + " nm/mN taken off the depths"
           : "");
  Headlines h{json::object(), provenance};
  h.add_mean_sd("hardness", "Hardness H", s.hardness_GPa, "GPa");
  h.add_mean_sd("modulus", "Young's modulus E", s.modulus_GPa, "GPa");
  return h.out;
}

json mce_headlines(const fs::path& dir, json provenance) {
  const MceSummary s = read_mce_summary(dir / "mce.json");
  std::set<std::string> formats;
  for (const std::string& variant : s.input_variants) formats.insert("Quantum Design " + variant);
  provenance["reader"] = joined(formats);
  // Which mass each file was normalised by: a sample without one reports mJ/K, and the report must
  // not say "from the header" for it.
  std::string masses;
  for (const std::string& m : s.input_masses) masses += (masses.empty() ? "" : "; ") + m;
  provenance["calibration"] = "sample mass (header SAMPLE_MASS or --mass): " + (masses.empty() ? "?" : masses);
  Headlines h{json::object(), provenance};
  h.add("Tc", "Curie temperature Tc (min dM/dT)", s.tc_K, "K",
        std::isfinite(s.tc_err_K) ? json{{"kind", "se"}, {"se", s.tc_err_K}} : none());
  if (!std::isfinite(s.tc_K))
    h.out["Tc"]["reason"] = !s.tc_verdict.empty()  ? s.tc_verdict
                            : !s.mt_failure.empty() ? "the M(T) file failed: " + s.mt_failure
                                                    : "no field-cooled M(T) file was given";
  // "at 7 T", not the field grid's 6.9999664059999995 as json writes it.
  const std::string field = s.has_top_field ? " at " + number_text(s.top_mu0H_T, 3) + " T" : "";
  h.add("minus_dSm_max", "Peak entropy change -ΔS_M max" + field, s.top_minus_dSm_max, s.minus_dSm_unit, none());
  h.add("Tp", "Temperature T_p of the -ΔS_M peak" + field, s.top_Tp_K, "K", none());
  h.add("RCP", "Relative cooling power RCP" + field, s.top_RCP, s.cooling_power_unit, none());
  // The field as a number too: a study must not put a sample's 0.2 T peak in a row of 5 T peaks.
  if (s.has_top_field)
    for (const char* key : {"minus_dSm_max", "Tp", "RCP"}) h.out[key]["field_T"] = json_number(s.top_mu0H_T);
  // Critical behaviour (no values when the isotherms did not give it).
  h.add_estimate("beta", "Critical exponent β (M_S ∝ (-t)^β)", s.beta, "1");
  h.add_estimate("gamma", "Critical exponent γ (χ0^-1 ∝ t^γ)", s.gamma, "1");
  h.add_estimate("delta", "Critical exponent δ (critical isotherm M ∝ H^(1/δ))", s.delta, "1");
  h.add_estimate("Tc_crit", "Tc from the modified Arrott plot", s.tc_crit_K, "K");
  h.add_verdict("critical_model", "Nearest universality class (relative rms distance of beta, gamma, delta)",
                s.nearest_model, s.nearest_model_distance, "1");
  h.add_verdict("universal_curve", "Universal curve of -ΔS_M (rms relative spread across fields)",
                s.universal_collapses < 0 ? ""
                : s.universal_collapses   ? "collapses (second order)"
                                          : "does not collapse (first order?)",
                s.universal_rms_spread, "1");
  // Every number but Tc comes from the isotherms: without any they were "not determined; this
  // module's warnings say why", and the warnings were about the M(T) files.
  if (s.isotherm_inputs == 0)
    for (auto& [key, q] : h.out.items())
      if (key != "Tc" && q["value"].is_null())
        q["reason"] = "no M(H) isotherms among the inputs (the manifest's mce option mh gives them)";
  return h.out;
}

}  // namespace

json module_headlines(const std::string& module, const fs::path& out_dir, const json& provenance) {
  if (module == "hrtem") return hrtem_headlines(out_dir, provenance);
  if (module == "dsc") return dsc_headlines(out_dir, provenance);
  if (module == "creep") return creep_headlines(out_dir, provenance);
  if (module == "hardness") return hardness_headlines(out_dir, provenance);
  if (module == "mce") return mce_headlines(out_dir, provenance);
  return json::object();
}

std::vector<std::string> ordered_quantity_keys(const json& quantities) {
  static const std::vector<std::string> order = {"ordered_fraction",
                                                 "ordered_area_fraction",
                                                 "crystal_like_fraction",
                                                 "nanocrystal_fraction",
                                                 "nanocrystal_median_diameter",
                                                 "detection_contrast_90",
                                                 "tau_1",
                                                 "tau_2",
                                                 "L1_peak",
                                                 "L2_peak",
                                                 "L1_tau",
                                                 "L2_tau",
                                                 "hardness",
                                                 "modulus",
                                                 "Tg",
                                                 "Tx",
                                                 "Tm",
                                                 "dH_rel",
                                                 "Tc",
                                                 "minus_dSm_max",
                                                 "Tp",
                                                 "RCP",
                                                 "beta",
                                                 "gamma",
                                                 "delta",
                                                 "Tc_crit",
                                                 "critical_model",
                                                 "universal_curve"};
  std::vector<std::string> keys;
  for (const std::string& k : order)
    if (quantities.contains(k)) keys.push_back(k);
  for (const auto& [k, q] : quantities.items())  // any other, by name
    if (std::find(order.begin(), order.end(), k) == order.end()) keys.push_back(k);
  return keys;
}

double quantity_value(const json& q) { return number_at(q, "value"); }

std::vector<std::string> quantity_warnings(const json& q) {
  return q.value("warnings", json::array()).get<std::vector<std::string>>();
}

std::pair<double, double> error_bar(const json& q) {
  const double v = quantity_value(q);
  const json u = q.value("uncertainty", json::object());
  const std::string kind = u.value("kind", "none");
  if (kind == "ci95_wilson" || kind == "ci95_bootstrap") return {number_at(u, "low"), number_at(u, "high")};
  const double e = kind == "sd" ? number_at(u, "sd") : kind == "se" ? number_at(u, "se") : kNaN;
  return {v - e, v + e};
}

}  // namespace mgscope

// Writers of the DSC outputs. Every construction the analysis made is written out and drawn.
#include "pipelines/dsc_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "fitting/base/statistics.hpp"
#include "pipelines/csv_format.hpp"
#include "pipelines/gnuplot_figure.hpp"
#include "pipelines/unit_style.hpp"
#include "pipelines/json_output.hpp"

namespace mgscope {

using nlohmann::json;

const Peak* DscSampleReport::crystallisation() const {
  const DscScanReport* s = crystallisation_scan();
  return s ? &s->transitions.crystallisation : nullptr;
}

const DscScanReport* DscSampleReport::crystallisation_scan() const {
  if (first >= 0 && scans[std::size_t(first)].transitions.crystallisation.found) return &scans[std::size_t(first)];
  if (reference && reference->transitions.crystallisation.found) return &*reference;
  return nullptr;
}

namespace {

void add_once(std::vector<std::string>& to, const std::vector<std::string>& from, const std::string& prefix = "") {
  for (const std::string& w : from)
    if (std::find(to.begin(), to.end(), prefix + w) == to.end()) to.push_back(prefix + w);
}

// A heating's doubts as the sample's list says them: another file's reference heating is named.
std::string heating_prefix(const DscSampleReport& s, const DscScanReport& scan) {
  return s.reference && &scan == &*s.reference && s.reference_path != s.path ? "reference " + s.reference_path + ": "
                                                                             : "";
}

// The heatings a Tx is searched in: the first, then the reference (the same file's is a copy of one
// of its scans, so it is taken from the copy).
std::vector<const DscScanReport*> searched_heatings(const DscSampleReport& s) {
  std::vector<const DscScanReport*> out;
  if (s.first >= 0) out.push_back(&s.scans[std::size_t(s.first)]);
  if (s.reference) out.push_back(&*s.reference);
  return out;
}

}  // namespace

DscNumberDoubts dsc_number_doubts(const DscSampleReport& s) {
  DscNumberDoubts d;
  for (auto* list : {&d.tg, &d.tx, &d.dtx, &d.dh_x, &d.dh_rel, &d.tm}) add_once(*list, s.file_warnings);
  if (s.first >= 0) {
    const DscScanReport& first = s.scans[std::size_t(s.first)];
    add_once(d.tg, first.warnings);
    // Tm: the heating's data doubts and its melting peaks' own, not its Tg's or Tx's (eicosane's Tm
    // had been doubted by "no glass transition found").
    const std::string heating = "heating " + std::to_string(first.heating_number) + ": ";
    add_once(d.tm, first.curve.warnings, heating);
    for (const Peak& m : first.transitions.melting)
      if (!m.message.empty()) add_once(d.tm, {m.message}, heating);
    add_once(d.dh_rel, first.warnings);
  }
  // relaxation_warnings hold the reference heating's doubts already (named when from another file).
  add_once(d.dh_rel, s.relaxation_warnings);
  // A Tx not found may be missing because of any heating searched (a reference cut short inside
  // its exotherm): their doubts are those of the n/a.
  const DscScanReport* x = s.crystallisation_scan();
  std::vector<const DscScanReport*> tx_from = x ? std::vector<const DscScanReport*>{x} : searched_heatings(s);
  for (const DscScanReport* scan : tx_from)
    for (auto* list : {&d.tx, &d.dtx, &d.dh_x}) add_once(*list, scan->warnings, heating_prefix(s, *scan));
  return d;
}

std::string dsc_no_tx_message(const DscSampleReport& s) {
  if (s.crystallisation()) return "";
  std::string out;
  for (const DscScanReport* scan : searched_heatings(s)) {
    const std::string& why = scan->transitions.crystallisation.message;
    out += (out.empty() ? "" : "; ") + heating_prefix(s, *scan) + "heating " + std::to_string(scan->heating_number) +
           ": " + (why.empty() ? "no crystallisation peak" : why);
  }
  return out;
}

namespace {

std::string dsc_number(double v) { return csv_number(v, 8); }

// An enthalpy in the curve's unit as {J/g, mJ}; the one that cannot be known is NaN.
std::pair<double, double> per_gram_and_mJ(double e, const DscCurve& c) {
  if (c.per_gram) return {e, c.mass_mg ? e * *c.mass_mg : kNaN};
  return {kNaN, e};
}

json line_json(const Line& l) {
  return {{"slope_per_K", json_number(l.slope)}, {"intercept", json_number(l.intercept)}};
}

json tg_json(const GlassTransition& g) {
  json j = {{"found", g.found}, {"message", g.message}};
  if (!g.found && std::isnan(g.tangent.at_K)) return j;
  j["onset_K"] = json_number(g.onset_K);
  j["midpoint_K"] = json_number(g.midpoint_K);
  j["end_K"] = json_number(g.end_K);
  j["step_height"] = json_number(g.step_height);
  j["delta_cp_per_K"] = json_number(g.delta_cp);
  j["glass_baseline"] = {{"line", line_json(g.glass_baseline.line)},
                         {"fit_low_K", json_number(g.glass_baseline.low_K)},
                         {"fit_high_K", json_number(g.glass_baseline.high_K)}};
  j["liquid_baseline"] = {{"line", line_json(g.liquid_baseline.line)},
                          {"fit_low_K", json_number(g.liquid_baseline.low_K)},
                          {"fit_high_K", json_number(g.liquid_baseline.high_K)}};
  j["tangent"] = {{"line", line_json(g.tangent.line)}, {"at_K", json_number(g.tangent.at_K)}};
  return j;
}

json peak_json(const Peak& p) {
  json j = {{"found", p.found}, {"message", p.message}, {"exothermic", p.exothermic}};
  if (!p.found) return j;
  j["onset_K"] = json_number(p.onset_K);
  j["peak_K"] = json_number(p.peak_K);
  j["integration_start_K"] = json_number(p.start_K);
  j["integration_end_K"] = json_number(p.end_K);
  j["height"] = json_number(p.height);
  j["enthalpy"] = json_number(p.enthalpy);
  j["baseline"] = line_json(p.baseline);
  j["tangent"] = {{"line", line_json(p.tangent.line)}, {"at_K", json_number(p.tangent.at_K)}};
  return j;
}

json uncertainty_json(const TransitionUncertainty& u) {
  const auto part = [](const TemperatureUncertainty& t) {
    return json{{"noise_sd_K", json_number(t.noise_sd_K)},
                {"settings_K", json_number(t.settings_K)},
                {"err_K", json_number(t.err_K)}};
  };
  return {{"resamples", u.resamples},      {"Tg_found", u.tg_found},
          {"Tx_found", u.tx_found},        {"Tg_onset", part(u.tg_onset)},
          {"Tg_mid", part(u.tg_midpoint)}, {"Tx_onset", part(u.tx_onset)},
          {"Tx_peak", part(u.tx_peak)},    {"dTx", part(u.dtx)},
          {"Tm_found", u.tm_found},        {"Tm_onset", part(u.tm_onset)}};
}

json scan_json(const DscScanReport& s) {
  const DscCurve& c = s.curve;
  json melting = json::array(), exotherms = json::array();
  for (const Peak& m : s.transitions.melting) melting.push_back(peak_json(m));
  for (const Peak& x : s.transitions.exotherms) exotherms.push_back(peak_json(x));
  return {{"path", c.path},
          {"heating", s.heating_number},
          {"role", s.role},
          {"file_segment", c.file_segment},
          {"lines", {c.first_line, c.last_line}},
          {"rate_K_per_min", json_number(c.rate_K_per_min)},
          {"mass_mg", c.mass_mg ? json(*c.mass_mg) : json(nullptr)},
          {"signal_unit", c.signal_unit()},
          {"enthalpy_unit", c.enthalpy_unit()},
          {"noise", json_number(s.transitions.noise)},
          {"uncertainty", uncertainty_json(s.uncertainty)},
          {"glass_transition", tg_json(s.transitions.tg)},
          {"crystallisation", peak_json(s.transitions.crystallisation)},
          {"exotherms", exotherms},
          {"melting", melting},
          {"warnings", c.warnings}};
}

json relaxation_json(const RelaxationResult& r) {
  json j = {{"found", r.usable()}, {"message", r.message}, {"warnings", r.warnings}};
  if (!r.usable()) return j;
  j["enthalpy"] = json_number(r.enthalpy);
  j["uncertainty"] = json_number(r.uncertainty);
  j["released"] = json_number(r.released);
  j["absorbed"] = json_number(r.absorbed);
  j["enthalpy_unit"] = r.enthalpy_unit;
  j["window_K"] = {json_number(r.window.low_K), json_number(r.window.high_K)};
  j["align_range_K"] = {json_number(r.align_range.low_K), json_number(r.align_range.high_K)};
  j["liquid_range_K"] = {json_number(r.liquid_range.low_K), json_number(r.liquid_range.high_K)};
  j["alignment_sides"] = r.two_sided ? "glass and liquid" : "glass only";
  j["alignment"] = line_json(r.alignment);
  j["noise"] = json_number(r.noise);
  j["noise_lag1_correlation"] = json_number(r.lag1_correlation);
  json anchors = json::array();
  for (const AnchorCheck& a : r.anchors)
    anchors.push_back({{"name", a.name},
                       {"range_K", {json_number(a.range.low_K), json_number(a.range.high_K)}},
                       {"points", a.points},
                       {"change", json_number(a.change)},
                       {"change_se", json_number(a.change_se)},
                       {"mean", json_number(a.mean)},
                       {"mean_se", json_number(a.mean_se)}});
  j["anchor_checks"] = anchors;
  j["rate_first_K_per_min"] = json_number(r.rate_first_K_per_min);
  j["rate_reference_K_per_min"] = json_number(r.rate_reference_K_per_min);
  j["reference_scale"] = json_number(r.reference_scale);
  return j;
}

const char* kConventions[] = {
    "signals are shown exotherm up (positive = heat released by the sample); the file's own direction is flipped "
    "when it says exotherm down",
    "dH_rel = integral over time of (first heating - reference heating - alignment) within the window: positive = "
    "heat released by the first heating relative to the reference (relaxation of a rejuvenated glass), negative = "
    "heat absorbed (enthalpy recovery of an aged glass, Tg overshoot); the alignment is a line through a glass anchor "
    "and a liquid anchor; its uncertainty is one standard uncertainty from the noise",
    "dH_x and dH_m are areas between the curve and a straight baseline, integrated over time, always positive "
    "(released for crystallisation, absorbed for melting)",
    "Tg onset = glass baseline x tangent at the steepest point of the step; Tg midpoint = curve at half the height "
    "between the extrapolated glass and liquid baselines; Tx onset = tangent at the steepest leading edge x "
    "integration baseline"};

// The doubts on a scan's row, each once: the file's, its own, and on the first heating the relaxation
// enthalpy's (which rests on the reference heating too, so that one's are among them).
std::vector<std::string> scan_doubts(const DscSampleReport& s, const DscScanReport& scan) {
  std::vector<std::string> out;
  add_once(out, s.file_warnings);
  add_once(out, scan.warnings);
  if (scan.role == "first") add_once(out, s.relaxation_warnings);
  return out;
}

}  // namespace

std::string dsc_scans_csv(const std::vector<DscSampleReport>& samples, const std::vector<BatchFailure>& failures) {
  std::ostringstream o;
  o << "file,status,message,sample,heating,file_segment,role,first_line,last_line,rate_K_per_min,mass_mg,signal_unit,"
       "Tg_onset_K,Tg_mid_K,Tg_end_K,delta_cp_J_per_gK,Tx_onset_K,Tx_peak_K,dTx_K,dH_x_J_per_g,dH_x_mJ,"
       "Tm_onset_K,Tm_peak_K,dH_m_J_per_g,dH_m_mJ,dH_rel_J_per_g,dH_rel_mJ,dH_rel_uncertainty_J_per_g,"
       "dH_rel_uncertainty_mJ,Tg_onset_err_K,Tg_mid_err_K,Tx_onset_err_K,Tx_peak_err_K,dTx_err_K,"
       "Tm_onset_err_K,treatment,warnings\n";
  for (const DscSampleReport& s : samples) {
    for (const DscScanReport& scan : s.scans) {
      const DscCurve& c = scan.curve;
      const TransitionResult& t = scan.transitions;
      const GlassTransition& g = t.tg;
      const Peak& x = t.crystallisation;
      const Peak* m = t.melting.empty() ? nullptr : &t.melting.front();
      const auto [hx_g, hx_mJ] = per_gram_and_mJ(x.found ? x.enthalpy : kNaN, c);
      const auto [hm_g, hm_mJ] = per_gram_and_mJ(m ? m->enthalpy : kNaN, c);
      const bool rel = scan.role == "first" && s.relaxation && s.relaxation->usable();
      const auto [hr_g, hr_mJ] = per_gram_and_mJ(rel ? s.relaxation->enthalpy : kNaN, c);
      const auto [ur_g, ur_mJ] = per_gram_and_mJ(rel ? s.relaxation->uncertainty : kNaN, c);
      o << csv_field(s.path) << ',' << to_string(t.status) << ',' << csv_field(t.usable() ? "" : t.message) << ','
        << csv_field(s.sample) << ',' << scan.heating_number << ',' << c.file_segment << ',' << scan.role << ','
        << c.first_line << ',' << c.last_line << ',' << dsc_number(c.rate_K_per_min) << ','
        << (c.mass_mg ? dsc_number(*c.mass_mg) : "") << ',' << c.signal_unit() << ','
        << dsc_number(g.found ? g.onset_K : kNaN) << ',' << dsc_number(g.found ? g.midpoint_K : kNaN) << ','
        << dsc_number(g.found ? g.end_K : kNaN) << ',' << dsc_number(g.found && c.per_gram ? g.delta_cp : kNaN) << ','
        << dsc_number(x.found ? x.onset_K : kNaN) << ',' << dsc_number(x.found ? x.peak_K : kNaN) << ','
        << dsc_number(supercooled_liquid_region_K(t)) << ',' << dsc_number(hx_g) << ',' << dsc_number(hx_mJ) << ','
        << dsc_number(m ? m->onset_K : kNaN) << ',' << dsc_number(m ? m->peak_K : kNaN) << ',' << dsc_number(hm_g)
        << ',' << dsc_number(hm_mJ) << ',' << dsc_number(hr_g) << ',' << dsc_number(hr_mJ) << ',' << dsc_number(ur_g)
        << ',' << dsc_number(ur_mJ) << ',';
      const TransitionUncertainty& u = scan.uncertainty;
      for (const TemperatureUncertainty* e :
           {&u.tg_onset, &u.tg_midpoint, &u.tx_onset, &u.tx_peak, &u.dtx, &u.tm_onset})
        o << dsc_number(e->err_K) << ',';
      o << (s.treatment ? dsc_number(*s.treatment) : "") << ',' << csv_list(scan_doubts(s, scan)) << '\n';
    }
  }
  // The 34 cells from sample to warnings stay empty: there are no numbers, and the message says why.
  for (const BatchFailure& f : failures)
    o << csv_field(f.input) << ',' << to_string(FitStatus::Failure) << ',' << csv_field(f.message)
      << std::string(34, ',') << '\n';
  return o.str();
}

json dsc_constructions_json(const std::vector<DscSampleReport>& samples) {
  json out = json::array();
  for (const DscSampleReport& s : samples) {
    json scans = json::array();
    for (const DscScanReport& scan : s.scans) scans.push_back(scan_json(scan));
    json j = {{"path", s.path}, {"scans", scans}};
    if (s.reference && s.reference_path != s.path) j["reference_scan"] = scan_json(*s.reference);
    if (s.relaxation) j["relaxation"] = relaxation_json(*s.relaxation);
    out.push_back(j);
  }
  return {{"samples", out},
          {"units", {{"temperatures", "K"},
                     {"signal", "each scan's signal_unit (W/g or mW), exotherm up"},
                     {"slope_per_K", "signal unit per K"},
                     {"intercept", "signal unit (line: signal = slope_per_K * T_K + intercept)"},
                     {"enthalpy", "each scan's enthalpy_unit (J/g or mJ)"},
                     {"delta_cp_per_K", "J/(g K) or mJ/K"}}},
          {"conventions", kConventions}};
}

json dsc_summary_json(const std::vector<DscSampleReport>& samples, const std::string& treatment_name) {
  json out = json::array();
  for (const DscSampleReport& s : samples) {
    json j = {{"path", s.path}, {"sample", s.sample}, {"format", s.format}, {"exotherm", s.exotherm},
              {"treatment", s.treatment ? json(*s.treatment) : json(nullptr)}, {"warnings", s.warnings}};
    // Which temperature column was read, among which: a wrong one shifts every temperature.
    j["temperature_column"] = s.temperature_column.label;
    j["temperature_column_why"] = s.temperature_column.why;
    j["other_temperature_columns"] = s.temperature_column.others;
    if (s.first >= 0) {
      const DscScanReport& f = s.scans[std::size_t(s.first)];
      j["enthalpy_unit"] = f.curve.enthalpy_unit();
      j["rate_K_per_min"] = json_number(f.curve.rate_K_per_min);
      j["Tg_onset_K"] = json_number(f.transitions.tg.found ? f.transitions.tg.onset_K : kNaN);
      j["Tg_mid_K"] = json_number(f.transitions.tg.found ? f.transitions.tg.midpoint_K : kNaN);
      j["Tg_onset_err_K"] = json_number(f.uncertainty.tg_onset.err_K);
      j["Tg_mid_err_K"] = json_number(f.uncertainty.tg_midpoint.err_K);
      j["Tm_onset_err_K"] = json_number(f.uncertainty.tm_onset.err_K);  // of melting[0]
      json melting = json::array();
      for (const Peak& m : f.transitions.melting)
        melting.push_back({{"onset_K", m.onset_K}, {"peak_K", m.peak_K}, {"enthalpy", m.enthalpy}});
      j["melting"] = melting;
    }
    const Peak* x = s.crystallisation();
    j["Tx_onset_K"] = json_number(x ? x->onset_K : kNaN);
    j["Tx_peak_K"] = json_number(x ? x->peak_K : kNaN);
    // dTx from the heating Tx comes from (its own Tg), with that heating's doubts among `warnings`.
    j["dTx_K"] = json_number(x ? supercooled_liquid_region_K(s.crystallisation_scan()->transitions) : kNaN);
    const TransitionUncertainty* xu = x ? &s.crystallisation_scan()->uncertainty : nullptr;
    j["Tx_onset_err_K"] = json_number(xu ? xu->tx_onset.err_K : kNaN);
    j["Tx_peak_err_K"] = json_number(xu ? xu->tx_peak.err_K : kNaN);
    j["dTx_err_K"] = json_number(xu ? xu->dtx.err_K : kNaN);
    j["dH_x"] = json_number(x ? x->enthalpy : kNaN);
    j["Tx_from"] = !x ? "none"
                   : (s.first >= 0 && x == &s.scans[std::size_t(s.first)].transitions.crystallisation)
                       ? "first heating"
                       : "reference heating";
    j["reference"] =
        s.reference ? json({{"path", s.reference_path}, {"heating", s.reference->heating_number}}) : json(nullptr);
    j["Tx_message"] = dsc_no_tx_message(s);
    if (s.relaxation) {
      j["dH_rel"] = json_number(s.relaxation->usable() ? s.relaxation->enthalpy : kNaN);
      j["dH_rel_uncertainty"] = json_number(s.relaxation->usable() ? s.relaxation->uncertainty : kNaN);
      j["relaxation_message"] = s.relaxation->message;
    }
    // Which of `warnings` bear on which number: the report doubted a Tx of the reference heating by
    // the first heating's missing Tg. Keyed by the numbers' own keys above.
    const DscNumberDoubts d = dsc_number_doubts(s);
    j["number_warnings"] = {{"Tg_onset_K", d.tg}, {"Tx_onset_K", d.tx}, {"dTx_K", d.dtx},
                            {"dH_x", d.dh_x},     {"dH_rel", d.dh_rel}, {"Tm_onset_K", d.tm}};
    out.push_back(j);
  }
  json j = {{"samples", out},
            {"treatment_name", treatment_name},
            {"conventions", kConventions},
            {"units",
             {{"temperatures", "K"},
              {"dH_x, dH_rel, melting enthalpy", "enthalpy_unit of the sample"},
              {"treatments: dH_rel", "J/g (samples in J/g only)"}}}};
  const json treatments = dsc_treatments_json(samples);
  if (!treatments.empty()) j["treatments"] = treatments;
  return j;
}

namespace {

// A treatment's means, each with whether it rests on a doubted number, and the inputs whose
// doubted numbers it rests on with which of them ("dH_rel", "Tx", "Tg", in the columns' order).
struct Group {
  MeanSd rel, tx, tg;
  bool rel_doubted = false, tx_doubted = false, tg_doubted = false;
  std::vector<std::pair<const DscSampleReport*, std::vector<std::string>>> doubted;
};

std::map<double, Group> treatment_groups(const std::vector<DscSampleReport>& samples) {
  std::map<double, std::vector<const DscSampleReport*>> by;
  for (const auto& s : samples)
    if (s.treatment) by[*s.treatment].push_back(&s);
  std::map<double, Group> out;
  for (const auto& [t, list] : by) {
    Group& g = out[t];
    std::vector<double> rel, tx, tg;
    for (const DscSampleReport* s : list) {
      const bool per_gram = s->first >= 0 && s->scans[std::size_t(s->first)].curve.per_gram;
      rel.push_back(s->relaxation && s->relaxation->usable() && per_gram ? s->relaxation->enthalpy : kNaN);
      tx.push_back(s->crystallisation() ? s->crystallisation()->onset_K : kNaN);
      tg.push_back(s->first >= 0 && s->scans[std::size_t(s->first)].transitions.tg.found
                       ? s->scans[std::size_t(s->first)].transitions.tg.onset_K
                       : kNaN);
      // Only a number that enters a mean doubts it: an n/a is left out of the mean.
      const DscNumberDoubts d = dsc_number_doubts(*s);
      std::vector<std::string> numbers;
      for (const auto& [name, value, doubts, flag] :
           {std::tuple{"dH_rel", rel.back(), &d.dh_rel, &g.rel_doubted},
            std::tuple{"Tx", tx.back(), &d.tx, &g.tx_doubted}, std::tuple{"Tg", tg.back(), &d.tg, &g.tg_doubted}})
        if (std::isfinite(value) && !doubts->empty()) numbers.push_back(name), *flag = true;
      if (!numbers.empty()) g.doubted.emplace_back(s, numbers);
    }
    g.rel = mean_sd(rel), g.tx = mean_sd(tx), g.tg = mean_sd(tg);
  }
  return out;
}

// "rests on 1 file(s) with warnings: cut1.txt (dH_rel, Tg)"; "" for a group without doubts. The
// doubts themselves are in each file's dsc.csv rows and summary.json entry.
std::string group_warning(const Group& g) {
  if (g.doubted.empty()) return "";
  std::string files;
  for (const auto& [s, numbers] : g.doubted) {
    std::string names;
    for (const std::string& n : numbers) names += (names.empty() ? "" : ", ") + n;
    files += (files.empty() ? "" : "; ") + std::filesystem::path(s->path).filename().string() + " (" + names + ")";
  }
  return "rests on " + std::to_string(g.doubted.size()) + " file(s) with warnings: " + files;
}

std::string mean_or_empty(const MeanSd& m) { return m.n > 0 ? dsc_number(m.mean) : ""; }
std::string sd_or_empty(const MeanSd& m) { return m.n > 0 ? dsc_number(m.sd) : ""; }

// The y range of a figure panel when its points span less than `min_span`: gnuplot then divides
// a range of a few mK into ticks that all print as "656.777". Empty when autoscaling is fine.
std::string min_span_yrange(const std::vector<std::pair<double, double>>& mean_sd_pairs, double min_span) {
  double low = kNaN, high = kNaN;
  for (const auto& [m, sd] : mean_sd_pairs) {
    if (!std::isfinite(m)) continue;
    const double e = std::isfinite(sd) ? sd : 0;
    low = std::isnan(low) ? m - e : std::min(low, m - e);
    high = std::isnan(high) ? m + e : std::max(high, m + e);
  }
  if (!std::isfinite(low) || high - low >= min_span) return "";
  const double mid = 0.5 * (low + high);
  return "set yrange [" + dsc_number(mid - 0.5 * min_span) + ":" + dsc_number(mid + 0.5 * min_span) + "]\n";
}

}  // namespace

std::string dsc_treatment_csv(const std::vector<DscSampleReport>& samples) {
  std::ostringstream o;
  o << "treatment,n_dH_rel,dH_rel_mean_J_per_g,dH_rel_sd_J_per_g,n_Tx,Tx_onset_mean_K,Tx_onset_sd_K,n_Tg,"
       "Tg_onset_mean_K,Tg_onset_sd_K,warnings\n";
  for (const auto& [t, g] : treatment_groups(samples))
    o << dsc_number(t) << ',' << g.rel.n << ',' << mean_or_empty(g.rel) << ',' << sd_or_empty(g.rel) << ',' << g.tx.n
      << ',' << mean_or_empty(g.tx) << ',' << sd_or_empty(g.tx) << ',' << g.tg.n << ',' << mean_or_empty(g.tg) << ','
      << sd_or_empty(g.tg) << ',' << csv_field(group_warning(g)) << '\n';
  return o.str();
}

json dsc_treatments_json(const std::vector<DscSampleReport>& samples) {
  json out = json::array();
  for (const auto& [t, g] : treatment_groups(samples)) {
    json doubted = json::array();
    for (const auto& [s, numbers] : g.doubted) doubted.push_back({{"path", s->path}, {"numbers", numbers}});
    const std::string w = group_warning(g);
    out.push_back({{"treatment", t},
                   {"n_dH_rel", g.rel.n},
                   {"dH_rel_mean_J_per_g", json_number(g.rel.n ? g.rel.mean : kNaN)},
                   {"dH_rel_sd_J_per_g", json_number(g.rel.n ? g.rel.sd : kNaN)},
                   {"n_Tx", g.tx.n},
                   {"Tx_onset_mean_K", json_number(g.tx.n ? g.tx.mean : kNaN)},
                   {"Tx_onset_sd_K", json_number(g.tx.n ? g.tx.sd : kNaN)},
                   {"n_Tg", g.tg.n},
                   {"Tg_onset_mean_K", json_number(g.tg.n ? g.tg.mean : kNaN)},
                   {"Tg_onset_sd_K", json_number(g.tg.n ? g.tg.sd : kNaN)},
                   {"doubted_inputs", doubted},
                   {"warnings", w.empty() ? json::array() : json::array({w})}});
  }
  return out;
}

GnuplotFigure dsc_treatment_figure(const std::vector<DscSampleReport>& samples, const std::filesystem::path& outdir,
                                   const std::string& treatment_name) {
  GnuplotFigure fig;
  fig.png = outdir / "dsc_treatment.png";
  fig.height_px = 800;
  std::ostringstream data;
  data << "# treatment dH_rel_mean_mJ_per_g dH_rel_sd_mJ_per_g Tx_onset_mean_K Tx_onset_sd_K dH_rel_doubted "
          "Tx_doubted\n";
  std::vector<std::pair<double, double>> rel_points, tx_points;
  bool rel_doubted = false, tx_doubted = false;
  for (const auto& [t, g] : treatment_groups(samples)) {
    data << dsc_number(t) << ' ' << (g.rel.n ? dsc_number(1000 * g.rel.mean) : "NaN") << ' '
         << (g.rel.n ? dsc_number(1000 * g.rel.sd) : "NaN") << ' ' << (g.tx.n ? dsc_number(g.tx.mean) : "NaN") << ' '
         << (g.tx.n ? dsc_number(g.tx.sd) : "NaN") << ' ' << (g.rel_doubted ? 1 : 0) << ' ' << (g.tx_doubted ? 1 : 0)
         << '\n';
    if (g.rel.n) rel_points.emplace_back(1000 * g.rel.mean, 1000 * g.rel.sd);
    if (g.tx.n) tx_points.emplace_back(g.tx.mean, g.tx.sd);
    rel_doubted |= g.rel_doubted, tx_doubted |= g.tx_doubted;
  }
  fig.data_files = {{"dsc_treatment.dat", data.str()}};
  std::string label = treatment_name;
  for (char& c : label)
    if (c == '\'' || c == '"') c = ' ';
  // A mean resting on a doubted number is ringed, as the study's figures ring a doubted point.
  auto ring = [](bool any, int column, int value) {
    return any ? ", '' using 1:($" + std::to_string(column) + " > 0 ? $" + std::to_string(value) +
                     " : 1/0) with points pt 6 ps 2.6 lw 2 lc rgb '#cc6600' title "
                     "'ringed: rests on a doubted number (see dsc\\_treatment.csv)'"
               : std::string();
  };
  // Minimum spans: 10 mJ/g is about twice a relaxation enthalpy's uncertainty, 2 K about Tx's.
  fig.script =
      "set multiplot layout 2,1\nset grid\nset offsets graph 0.05, graph 0.05, graph 0.1, graph 0.1\n"
      "set xlabel '" +
      label + "'\nset ylabel 'ΔH_{rel} (mJ g^{-1})'\n" + min_span_yrange(rel_points, 10) +
      "plot 'dsc_treatment.dat' using 1:2:3 with yerrorlines pt 7 lw 2 title 'ΔH_{rel} (mean ± sd)'" +
      ring(rel_doubted, 6, 2) + "\nset autoscale y\nset ylabel 'T_x onset (K)'\n" + min_span_yrange(tx_points, 2) +
      "plot 'dsc_treatment.dat' using 1:4:5 with yerrorlines pt 5 lw 2 lc rgb '#c03020' title 'T_x onset'" +
      ring(tx_doubted, 7, 4) + "\nunset multiplot\n";
  return fig;
}

GnuplotFigure dsc_figure(const DscSampleReport& s, const std::filesystem::path& outdir) {
  GnuplotFigure fig;
  fig.png = outdir / (s.stem + "_dsc.png");
  fig.height_px = 1200;
  const std::string base = s.stem + "_dsc";
  std::vector<const DscScanReport*> scans;
  for (const auto& sc : s.scans) scans.push_back(&sc);
  if (s.reference && s.reference_path != s.path) scans.push_back(&*s.reference);

  std::ostringstream curves, lines, tg_points, peak_points;
  auto segment = [&](const Line& l, double a, double b) {
    if (std::isfinite(a) && std::isfinite(b) && std::isfinite(l.slope))
      lines << dsc_number(a) << ' ' << dsc_number(l.at(a)) << '\n'
            << dsc_number(b) << ' ' << dsc_number(l.at(b)) << "\n\n";
  };
  // Each label is written once, at its first point: the same words at the reference's point a
  // kelvin away would print on top of them. Later points are still circled.
  std::set<std::string> labels_written;
  auto point = [&](std::ostringstream& to, double T, const Line& on, const char* label) {
    if (!std::isfinite(T) || !std::isfinite(on.slope)) return;
    const bool first = std::string(label) == "|" || labels_written.insert(label).second;
    to << dsc_number(T) << ' ' << dsc_number(on.at(T)) << " \"" << (first ? label : "") << "\"\n";
  };
  std::string plot_curves;
  double tg_low = kNaN, tg_high = kNaN;
  for (std::size_t i = 0; i < scans.size(); ++i) {
    const DscCurve& c = scans[i]->curve;
    const std::size_t step = std::max<std::size_t>(1, c.temperature_K.size() / 3000);
    for (std::size_t k = 0; k < c.temperature_K.size(); k += step)
      curves << dsc_number(c.temperature_K[k]) << ' ' << dsc_number(c.signal[k]) << '\n';
    curves << "\n\n";
    plot_curves += std::string(i ? ", " : "") + gnuplot_quoted(base + "_curves.dat") + " index " + std::to_string(i) +
                   " using 1:2 with lines lw 1.5 lt " + std::to_string(i + 1) + " title '" + scans[i]->role +
                   " (heating " + std::to_string(scans[i]->heating_number) + ")'";
    const GlassTransition& g = scans[i]->transitions.tg;
    if (g.found) {
      segment(g.glass_baseline.line, g.glass_baseline.low_K, g.end_K);
      segment(g.liquid_baseline.line, g.onset_K, g.liquid_baseline.high_K);
      segment(g.tangent.line, g.onset_K - 3, g.end_K + 3);
      point(tg_points, g.onset_K, g.glass_baseline.line, "T_g onset");
      Line mid{0.5 * (g.glass_baseline.line.slope + g.liquid_baseline.line.slope),
               0.5 * (g.glass_baseline.line.intercept + g.liquid_baseline.line.intercept)};
      point(tg_points, g.midpoint_K, mid, "T_g mid");
      if (std::isnan(tg_low) || scans[i]->role == "first")
        tg_low = g.glass_baseline.low_K - 5, tg_high = g.liquid_baseline.high_K + 5;
    }
    std::vector<const Peak*> peaks;
    for (const Peak& x : scans[i]->transitions.exotherms) peaks.push_back(&x);
    for (const Peak& m : scans[i]->transitions.melting) peaks.push_back(&m);
    for (const Peak* p : peaks) {
      if (!p->found) continue;
      segment(p->baseline, p->start_K - 5, p->end_K + 5);
      // The tangent from just before its onset to where it reaches the peak's height: 2 K either
      // side of a sharp melting peak's flank (1 W/g per K) had run 3 W/g past the curve both ways
      // and squeezed the curve into a third of the panel.
      const double rise_K = p->height / std::abs(p->tangent.line.slope - p->baseline.slope);
      const bool bounded = std::isfinite(rise_K) && rise_K > 0;
      segment(p->tangent.line, bounded ? std::max(p->onset_K - 0.15 * rise_K, p->onset_K - 2) : p->onset_K - 2,
              bounded ? std::min(p->onset_K + 1.1 * rise_K, p->tangent.at_K + 2) : p->tangent.at_K + 2);
      point(peak_points, p->onset_K, p->baseline, p->exothermic ? "T_x onset" : "T_m onset");
      point(peak_points, p->start_K, p->baseline, "|");
      point(peak_points, p->end_K, p->baseline, "|");
    }
  }
  // Points file: index 0 the Tg points, index 1 the peak points (labelled in different panels).
  const std::string points = (tg_points.str().empty() ? "NaN NaN \"\"\n" : tg_points.str()) + "\n\n" +
                             (peak_points.str().empty() ? "NaN NaN \"\"\n" : peak_points.str());
  if (lines.str().empty()) lines << "NaN NaN\n";
  fig.data_files = {
      {base + "_curves.dat", curves.str()}, {base + "_lines.dat", lines.str()}, {base + "_points.dat", points}};
  const std::string unit = scans.empty() ? "mW" : scans.front()->curve.signal_unit();
  std::string title = s.sample.empty() ? s.stem : s.sample;
  for (char& c : title)
    if (c == '\'' || c == '_') c = ' ';
  std::ostringstream g;
  // Constructions, with the labels of one points block (0: Tg, 1: peaks) so they do not crowd. An
  // empty block holds only the NaN placeholder, and gnuplot 5.4 (Debian 12) crashes drawing a label
  // at NaN: a scan that ends before crystallising (a Tg-only run) lost its figure.
  const bool block_labelled[2] = {!tg_points.str().empty(), !peak_points.str().empty()};
  auto constructions = [&](int labelled) {
    std::string plot = ", " + gnuplot_quoted(base + "_lines.dat") +
                       " using 1:2 with lines dt 2 lc rgb '#202020' title 'constructions', " +
                       gnuplot_quoted(base + "_points.dat") +
                       " using 1:2 with points pt 6 ps 1.5 lc rgb '#c00000' notitle";
    if (block_labelled[labelled])
      plot += ", " + gnuplot_quoted(base + "_points.dat") + " index " + std::to_string(labelled) +
              " using 1:2:3 with labels offset 1,1 font ',9' notitle";
    return plot + "\n";
  };
  const bool relax = s.relaxation && s.relaxation->usable();
  const int panels = 1 + (std::isfinite(tg_low) ? 1 : 0) + (relax ? 1 : 0);
  g << "set multiplot layout " << panels << ",1 title '" << title << " (exotherm up)'\nset grid\n"
    << "set xlabel 'T (K)'\nset ylabel 'heat flow (" << gnuplot_unit(unit) << "), exo up'\nset key bottom left\n"
    << "plot " << plot_curves << constructions(1);
  if (std::isfinite(tg_low))  // the Tg step is small beside a crystallisation peak: zoom on it
    g << "set xrange [" << dsc_number(tg_low) << ":" << dsc_number(tg_high) << "]\nset title 'glass transition'\nplot "
      << plot_curves << constructions(0) << "set xrange [*:*]\n";
  if (relax) {
    const RelaxationResult& r = *s.relaxation;
    std::size_t reference_lt = scans.size();  // a reference from another file is the last curve
    for (std::size_t i = 0; i < s.scans.size(); ++i)
      if (s.scans[i].role == "reference") reference_lt = i + 1;
    std::ostringstream rel;
    for (std::size_t k = 0; k < r.plot_T_K.size(); ++k)
      rel << dsc_number(r.plot_T_K[k]) << ' ' << dsc_number(r.plot_first[k]) << ' ' << dsc_number(r.plot_reference[k])
          << '\n';
    fig.data_files.push_back({base + "_relax.dat", rel.str()});
    char dh[160];
    std::snprintf(dh, sizeof dh, "ΔH_{rel} = %.4g ± %.2g %s over %.1f-%.1f K", r.enthalpy, r.uncertainty,
                  gnuplot_unit(r.enthalpy_unit).c_str(), r.window.low_K, r.window.high_K);
    g << "set title '" << dh << "'\n"
      << "set arrow 1 from " << dsc_number(r.window.low_K) << ", graph 0 to " << dsc_number(r.window.low_K)
      << ", graph 1 nohead dt 3\n"
      << "set arrow 2 from " << dsc_number(r.window.high_K) << ", graph 0 to " << dsc_number(r.window.high_K)
      << ", graph 1 nohead dt 3\n"
      << "set object 1 rect from " << dsc_number(r.align_range.low_K) << ", graph 0 to "
      << dsc_number(r.align_range.high_K) << ", graph 1 fc rgb '#e0e0e0' fs solid 0.5 behind\n";
    if (r.two_sided)  // the liquid anchor, shaded as the glass one
      g << "set object 2 rect from " << dsc_number(r.liquid_range.low_K) << ", graph 0 to "
        << dsc_number(r.liquid_range.high_K) << ", graph 1 fc rgb '#e0e0e0' fs solid 0.5 behind\n";
    g << "plot " << gnuplot_quoted(base + "_relax.dat")
      << " using 1:2:3 with filledcurves lc rgb '#9090ff' fs transparent solid 0.4 title 'difference', "
      << "'' using 1:2 with lines lw 1.5 lt " << s.first + 1
      << " title 'first heating', '' using 1:3 with lines lw 1.5 lt " << reference_lt
      << " title 'reference, aligned (grey: anchors)'\n";
  }
  g << "unset multiplot\n";
  fig.script = g.str();
  return fig;
}

}  // namespace mgscope

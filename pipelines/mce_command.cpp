// `mgscope mce --mt FC.dat --mh ISO.dat... -o OUTDIR`: Curie temperature, Arrott/Banerjee,
// -dSm(T, H) by the Maxwell relation and its figures of merit, the critical exponents and the
// universal curve, from Quantum Design files.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "fitting/base/error.hpp"
#include "magnetics/curie.hpp"
#include "magnetics/mce_inputs.hpp"
#include "magnetics/mce_merit.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/batch.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/config_file.hpp"
#include "pipelines/csv_format.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/mce_critical_output.hpp"
#include "pipelines/mce_figures.hpp"
#include "pipelines/output_guard.hpp"
#include "pipelines/output_record.hpp"
#include "pipelines/usage_errors.hpp"

namespace mgscope {

namespace {

// A field held fixed wobbles by well under this (QD magnets: ~0.1-1 Oe); an M(H) isotherm spans
// thousands of Oe.
constexpr double kOneFieldWobble_Oe = 10;

// Above this -dSm in J/(kg K) a unit error is likely (write_tables says why).
constexpr double kMaxPlausibleMinusDsm_JkgK = 150;

struct MceCli {
  std::vector<std::string> mt_files, mh_files;
  std::string out_dir;
  std::optional<double> mass_mg;
  double demag_N = 0, density_g_cm3 = 0;
  std::string moment_column;
  std::optional<double> field_step_Oe;
  double zero_field_tolerance_Oe = 500;
  double isotherm_tolerance_K = 0.5;
  int tc_half_window = 2;
  double arrott_fraction = 0.2;
  CriticalOptions critical;
  UniversalCurveOptions universal;
};

std::string fmt(double v, int digits = 6) {
  std::ostringstream s;
  s << std::setprecision(digits) << v;
  return s.str();
}

// "'Moment (emu)'", or "'DC Moment Free Ctr (emu)' (1020 rows), 'Moment (emu)' (816 rows)" when
// the moment came from several columns row by row.
std::string moment_columns_text(const QdData& d) {
  if (d.moment_rows_by_column.size() < 2) return "moment column '" + d.moment_column + "'";
  std::string text;
  for (const auto& [column, rows] : d.moment_rows_by_column)
    text += (text.empty() ? "'" : ", '") + column + "' (" + std::to_string(rows) + " rows)";
  return "moment columns " + text;
}

nlohmann::json input_json(const QdData& d, double mass_mg, const std::string& mass_source) {
  nlohmann::json rows_by_column = nlohmann::json::object();
  for (const auto& [column, rows] : d.moment_rows_by_column) rows_by_column[column] = rows;
  return {{"file", d.path},
          {"variant", d.variant},
          {"rows", d.row_count()},
          {"columns", d.column_names.size()},
          {"temperature_column", d.temperature_column},
          {"field_column", d.field_column},
          {"moment_column", d.moment_column},
          {"moment_rows_by_column", rows_by_column},
          {"decoded_from_cp1252", d.decoded_from_cp1252},
          {"mass_mg", mass_mg > 0 ? json_number(mass_mg) : nlohmann::json()},
          {"mass_source", mass_source},
          {"notes", d.notes}};  // unit conversions the reader made (also NOTE: lines on the terminal)
}

class MceRun {
 public:
  MceRun(const MceCli& cli, CommandContext& ctx) : cli_(cli), ctx_(ctx), out_(cli.out_dir) {}

  void run() {
    if (cli_.mt_files.empty() && cli_.mh_files.empty()) throw UsageError("give --mt and/or --mh files");
    if (cli_.mass_mg)  // the rule of the Python module's mass_mg too
      if (const std::string bad = mass_override_problem(*cli_.mass_mg, "--mass"); !bad.empty()) throw UsageError(bad);
    if (cli_.mass_mg)
      if (const std::string w = unusual_mass_warning(*cli_.mass_mg, "--mass"); !w.empty()) warn(w);
    if (cli_.mass_mg && *cli_.mass_mg == 0) warn("--mass 0: no mass; outputs are per sample (emu, mJ/K), not per gram");
    if (cli_.demag_N < 0 || cli_.demag_N > 1) throw UsageError("--demag must lie in [0, 1] (SI demagnetising factor)");
    if (cli_.density_g_cm3 < 0 || cli_.density_g_cm3 > 30)
      throw UsageError("--density must lie in [0, 30] g/cm^3 (0: none; the densest element is about 22.6)");
    if (cli_.demag_N > 0 && !(cli_.density_g_cm3 > 0))
      throw UsageError("--demag needs --density (g/cm^3) to turn emu/g into emu/cm^3");
    // Before any file is read: a bad setting names its option and field.
    for (const std::string& bad : {cli_.critical.check(), cli_.universal.check(), entropy_options().check()})
      if (!bad.empty()) throw UsageError(bad);
    segment_.isotherm_tolerance_K = cli_.isotherm_tolerance_K;
    // All inputs noted before anything is written (figure data must not replace an M(H) file),
    // and M(T) figures named so that X/fc.dat and Y/fc.dat do not draw over each other.
    note_inputs(cli_.mt_files);
    note_inputs(cli_.mh_files);
    OutputRecord record(out_, kMceCommand);
    const std::vector<std::string> stems = distinct_stems(cli_.mt_files);
    for (std::size_t i = 0; i < stems.size(); ++i) mt_stem_[cli_.mt_files[i]] = stems[i];
    std::cout << std::setprecision(5);
    const BatchResult mt = run_batch(
        cli_.mt_files, [&](const std::string& f) { analyse_mt(f); }, std::cerr, "mce --mt");
    // So that a report says "the M(T) file failed: ..." rather than that none was given.
    for (const BatchFailure& f : mt.failures)
      json_["mt_failures"].push_back({{"file", f.input}, {"message", f.message}});
    const BatchResult mh = run_batch(cli_.mh_files, [&](const std::string& f) { read_mh(f); }, std::cerr, "mce --mh");
    for (const BatchFailure& f : mh.failures)
      json_["mh_failures"].push_back({{"file", f.input}, {"message", f.message}});
    // -dSm from the isotherms of the files that were read: it may lack temperatures or fields, and
    // nothing in mce.json said so.
    if (!mh.failures.empty() && !curves_.empty())
      warn("-dSm comes from " + std::to_string(mh.succeeded) + " of " +
           std::to_string(mh.succeeded + int(mh.failures.size())) + " M(H) files: " +
           std::to_string(mh.failures.size()) + " could not be read (mh_failures in mce.json)");
    bool failed = mt.exit_code() != 0 || mh.exit_code() != 0;
    if (!curves_.empty()) {
      try {
        analyse_mh();
      } catch (const InputError& e) {
        std::cerr << "ERROR: " << e.what() << '\n';
        json_["entropy_error"] = e.what();
        failed = true;
      }
    }
    for (const std::string& w : figures_.draw()) figure_warn(w);
    json_["warnings"] = warnings_;
    json_["figure_warnings"] = figure_warnings_;
    json_["units"] = {{"temperature", "K"}, {"field", "Oe (mu0H in T = 1e-4 * Oe)"},
                      {"magnetization", m_unit()}, {"minus_dSm", ds_unit()}, {"RCP_RC", rc_unit()},
                      {"arrott_slope", "(" + m_unit() + ")^3/Oe"}};
    write_json_atomic(out_ / "mce.json", json_);
    commit_outputs(record, std::cerr);
    std::cout << "wrote " << (out_ / "mce.json").string() << '\n';
    ctx_.exit_code = failed ? 1 : 0;
  }

 private:
  std::string m_unit() const { return per_gram_ ? "emu/g" : "emu"; }
  std::string ds_unit() const { return per_gram_ ? "J/(kg K)" : "mJ/K"; }
  std::string rc_unit() const { return per_gram_ ? "J/kg" : "mJ"; }
  // "nan" on the terminal read as a number; mce.json has null there.
  std::string tec_text(double v) const { return std::isfinite(v) ? fmt(v, 4) + ' ' + ds_unit() : "not given"; }

  void warn(const std::string& w) {
    std::cerr << "WARNING: " << w << '\n';
    warnings_.push_back(w);
  }
  // A figure not drawn (or drawn with a problem): said the same way, but kept apart in mce.json's
  // figure_warnings, as the other modules do, since it doubts no number.
  void figure_warn(const std::string& w) {
    std::cerr << "WARNING: " << w << '\n';
    figure_warnings_.push_back(w);
  }

  EntropyOptions entropy_options() const {
    EntropyOptions eo;
    eo.field_step_Oe = cli_.field_step_Oe;
    eo.zero_field_tolerance_Oe = cli_.zero_field_tolerance_Oe;
    return eo;
  }

  // Mass for one file, with where it came from; warns when there is none.
  double mass_for(const QdData& d, std::string* source) {
    // An explicit --mass wins, --mass 0 included (moment-only on purpose).
    const double m = cli_.mass_mg ? *cli_.mass_mg : effective_mass_mg(d, 0.0);
    *source = cli_.mass_mg ? "--mass" : d.sample_mass_mg ? "header" : "none";
    if (m <= 0) warn(d.path + ": no sample mass (header or --mass): moment-only outputs (emu, mJ/K)");
    return m;
  }

  QdData read(const std::string& path) {
    QdReadOptions ro;
    ro.moment_column = cli_.moment_column;
    QdData d = read_qd_file(path, ro);
    for (const auto& w : d.warnings) warn(w);
    for (const auto& n : d.notes) std::cerr << "NOTE: " << n << '\n';
    return d;
  }

  void analyse_mt(const std::string& path) {
    const QdData d = read(path);
    std::string source;
    const double mass = mass_for(d, &source);
    const auto sets = mt_curves(d, mass, segment_);
    // M(H) isotherms read as M(T) split into one "set-point" per field and gave a "Tc" for each (27
    // from heis/iso.dat, exit 0). Several temperatures each swept over thousands of Oe is no M(T)
    // run: refused, so that the batch's hint names `mce --mh` (the reverse of read_mh's refusal).
    if (sets.size() > 2) {
      const auto isotherms = isotherm_curves(d, mass, segment_, nullptr);
      const auto swept = std::count_if(isotherms.begin(), isotherms.end(), [](const MhCurve& k) {
        const auto [low, high] = std::minmax_element(k.field_Oe.begin(), k.field_Oe.end());
        return k.field_Oe.size() >= 5 && *high - *low > 100 * kOneFieldWobble_Oe;
      });
      if (swept >= 3)
        fail_input(path, "holds " + std::to_string(sets.size()) + " field set-points, and " + std::to_string(swept) +
                             " of its " + std::to_string(isotherms.size()) +
                             " temperatures sweep the field over 1000 Oe or more: M(H) isotherms, not an M(T) run");
    }
    if (sets.size() > 1) {
      std::string list;
      for (const auto& s : sets) list += (list.empty() ? "" : ", ") + fmt(s.field_Oe) + " Oe";
      warn(path + ": M(T) holds " + std::to_string(sets.size()) + " field set-points (" + list +
           "); each is analysed on its own");
    }
    nlohmann::json in = input_json(d, mass, source);
    for (const auto& s : sets) {
      CurieOptions co;
      co.half_window = cli_.tc_half_window;
      co.magnetization_unit = m_unit();
      const CurieResult c = find_curie_temperature(s.temperature_K, s.magnetization, co);
      for (const auto& w : c.warnings) warn(path + " (" + fmt(s.field_Oe) + " Oe): " + w);
      std::string png = "mt_" + mt_stem_[path];
      if (sets.size() > 1) png += "_" + std::to_string(std::lround(s.field_Oe)) + "Oe";
      draw_mt_figure(figures_, out_ / (png + ".png"), c, s.field_Oe, mass > 0 ? "emu/g" : "emu");
      const auto if_found = [&](double v) { return c.transition_found ? json_number(v) : nlohmann::json(); };
      json_["curie"].push_back({{"file", path},
                                {"field_Oe", json_number(s.field_Oe)},
                                {"points", c.temperature_K.size()},
                                {"transition_found", c.transition_found},
                                {"verdict", c.message},
                                {"Tc_K", if_found(c.curie_K)},
                                {"Tc_err_K", if_found(c.curie_err_K)},
                                {"Tc_noise_sd_K", if_found(c.curie_noise_sd_K)},
                                {"M_noise_sd", if_found(c.magnetization_noise_sd)},
                                {"min_dM_dT_per_K", json_number(c.min_dM_dT)},
                                {"dip_width_K", json_number(c.dip_width_K)},
                                {"magnetization_unit", mass > 0 ? "emu/g" : "emu"},
                                {"figure", png + ".png"}});
      std::cout << path << " (" << s.field_Oe << " Oe): "
                << (c.transition_found ? "Tc = " + fmt(c.curie_K, 5) + " +- " + fmt(c.curie_err_K, 2) + " K"
                                       : c.message)
                << '\n';
    }
    json_["inputs"].push_back(in);
  }

  void read_mh(const std::string& path) {
    const QdData d = read(path);
    std::string source;
    const double mass = mass_for(d, &source);
    if (!mh_sources_.empty() && (mass > 0) != per_gram_)
      fail_input(path, "has " + std::string(mass > 0 ? "a" : "no") +
                           " sample mass unlike the M(H) files before it: cannot mix emu/g and emu");
    per_gram_ = mass > 0;
    // H_int = H - 4 pi N rho M needs M per gram; a moment in emu gave a field wrong by the mass,
    // with no word (4.997 T for 4.658 T at the top field of the mean-field sample).
    if (cli_.demag_N > 0 && !(mass > 0))
      fail_input(path, "has no sample mass (" + std::string(source == "--mass" ? "--mass 0" : "none in its header") +
                           "): --demag needs one (header SAMPLE_MASS or --mass) to turn "
                       "the moment into a magnetisation; run without --demag or give --mass");
    std::vector<std::string> branch_warnings;
    auto c = isotherm_curves(d, mass, segment_, &branch_warnings);
    for (const auto& w : branch_warnings) warn(w);
    // Temperature sweeps at fixed fields split into "isotherms" of one temperature each, at one
    // field (within the magnet's few-Oe wobble): nothing to differentiate along H. The usual cause
    // is an M(T) file given as M(H), which the batch's hint then names (reader_hint.hpp).
    const auto spans_fields = [](const MhCurve& k) {
      const auto [low, high] = std::minmax_element(k.field_Oe.begin(), k.field_Oe.end());
      return low != k.field_Oe.end() && *high - *low > kOneFieldWobble_Oe;
    };
    if (!c.empty() && std::none_of(c.begin(), c.end(), spans_fields))
      fail_input(path, "none of its " + std::to_string(c.size()) +
                           " isotherms holds two fields (each temperature was measured at one field)");
    if (cli_.demag_N > 0)
      for (auto& k : c) {
        const std::vector<double> h = internal_field_Oe(k.field_Oe, k.magnetization, cli_.demag_N, cli_.density_g_cm3);
        if (const double end = domain_region_end_Oe(k.field_Oe, h); std::isfinite(end)) {
          demag_limited_T_K_.push_back(k.temperature_K);
          demag_limit_Oe_ = std::max(demag_limit_Oe_, end);
        }
        k.field_Oe = h;
      }
    std::cout << path << ": " << c.size() << " isotherms, " << moment_columns_text(d) << "\n";
    curves_.insert(curves_.end(), c.begin(), c.end());
    mh_sources_ += (mh_sources_.empty() ? "" : ", ") + path;
    json_["inputs"].push_back(input_json(d, mass, source));
  }

  void analyse_mh() {
    const std::string mu = m_unit();
    ArrottOptions ao;
    ao.high_field_fraction = cli_.arrott_fraction;
    ao.magnetization_unit = mu;
    const ArrottResult a = arrott_analysis(curves_, ao);
    std::cout << "Arrott: " << a.message << '\n';
    nlohmann::json aj = {
        {"first_order", a.first_order},
        {"verdict", a.message},
        {"first_order_isotherms", a.first_order_isotherms},
        {"threshold_t", json_number(a.threshold_t)},
        {"evidence_t", json_number(a.evidence_t)},
        {"evidence_arrott_slope", json_number(a.evidence_arrott_slope)},
        {"evidence_temperature_K", json_number(a.evidence_temperature_K)},
        {"evidence_field_range_Oe", {json_number(a.evidence_field_low_Oe), json_number(a.evidence_field_high_Oe)}},
        {"high_field_fraction", ao.high_field_fraction},
        {"false_alarm_probability", ao.false_alarm},
        {"demag_N_SI", cli_.demag_N},
        {"density_g_cm3", cli_.density_g_cm3}};
    for (const auto& iso : a.isotherms)
      aj["isotherms"].push_back(
          {{"T_K", iso.temperature_K},
           {"points", iso.h_over_m.size()},
           {"linear", iso.linear},
           {"first_order_vote", iso.first_order_vote},
           {"evidence_t", iso.has_fit ? json_number(iso.evidence_t) : nlohmann::json()},
           {"evidence_arrott_slope", iso.has_fit ? json_number(iso.evidence_arrott_slope) : nlohmann::json()},
           {"min_arrott_slope", iso.has_fit ? json_number(iso.min_arrott_slope) : nlohmann::json()}});
    json_["arrott"] = aj;
    draw_isotherms_figure(figures_, out_ / "isotherms.png", curves_, mu);
    draw_arrott_figure(figures_, out_ / "arrott.png", a, mu);

    EntropyOptions eo = entropy_options();
    eo.first_order = a.first_order;
    const EntropyChange s = compute_entropy_change(curves_, eo, mh_sources_);
    for (const auto& w : s.warnings) warn(mh_sources_ + ": " + w);
    write_tables(s);
    draw_dsm_figure(figures_, out_ / "dSm.png", s, ds_unit());
    analyse_critical(s);
  }

  // Exponents, scaling and the universal curve. Their failure is a finding (a paramagnet, a
  // first-order transition, too few isotherms near Tc), reported in mce.json, not an error.
  void analyse_critical(const EntropyChange& s) {
    // curves_ are already on the internal field when --demag is given: no second correction.
    CriticalSummary c = analyse_critical_behaviour(curves_, cli_.critical);
    ScalingOptions so;
    so.reduced_t_max = cli_.critical.reduced_t_max;
    so.field_fraction = cli_.critical.field_fraction;
    ScalingCollapse sc;
    PowerLawFit n;
    double n_bias = std::nan("");
    if (c.usable()) {
      sc = scaling_collapse(c.curves, c.beta, c.gamma, c.tc_K, so);
      n = field_exponent_at(s, c.tc_K, cli_.universal.field_fraction);
      // A failed collapse doubts the exponents themselves: their section and critical.csv carry it.
      if (!sc.failure.empty()) c.warnings.push_back(sc.failure);
      check_tc_against_mt(c);
      n_bias = field_exponent_spacing_bias(s, c.beta, c.gamma, c.tc_K, c.equation_of_state.a, c.equation_of_state.b,
                                           cli_.universal.field_fraction);
      // Said when the spacing moves n by more than the fit's own error (and 0.01, the last digit shown).
      if (n.usable() && std::isfinite(n_bias) && std::abs(n_bias) > std::max(0.01, n.exponent_se))
        c.warnings.push_back("n(Tc) measured " + fmt(n.exponent, 3) + " is biased by the isotherm spacing: on the " +
                             "fitted equation of state, neighbour differences at these temperatures give n(Tc) " +
                             (n_bias > 0 ? "+" : "") + fmt(n_bias, 2) + " off the exact value (about " +
                             fmt(n.exponent - n_bias, 3) + " freed of it); measure isotherms closer together at Tc");
    }
    json_["critical"] = critical_json(c, sc, n, cli_.critical);
    json_["critical"]["field_exponent_at_Tc"]["spacing_bias_estimate"] = json_number(n_bias);
    json_["critical"]["demag_N_SI"] = cli_.demag_N;
    json_["critical"]["table"] = "critical.csv";
    std::cout << "Critical behaviour: " << c.brief_report() << '\n';
    if (!c.usable()) {
      // Kept in the section too: it doubts the exponents only. In the top list alone it named the
      // isotherm file, and the report gave it to every number made from the isotherms (-dSm max,
      // Tp, RCP, the universal curve).
      const std::string why = "critical exponents not determined: " + c.message;
      json_["critical"]["warnings"].push_back(why);
      warn(mh_sources_ + ": " + why);
    }
    for (const auto& w : c.warnings) warn(mh_sources_ + " (critical): " + w);
    for (const auto& w : sc.warnings)
      if (w != sc.failure) warn(mh_sources_ + " (scaling): " + w);  // the failure is said with the exponents
    if (c.usable()) {
      write_file_atomic(out_ / "critical.csv", critical_csv(c, m_unit()));
      std::cout << "  Widom delta = " << fmt(c.delta_widom, 4) << ", n(Tc) expected " << fmt(c.n_at_tc_expected, 3)
                << (n.usable() ? ", measured " + fmt(n.exponent, 3) : std::string()) << "; scaling "
                << (sc.usable() ? "rms miss " + fmt(100 * sc.rms_ln_deviation, 3) + " %"
                                : "not measured: " + sc.message)
                << '\n';
      draw_modified_arrott_figure(figures_, out_ / "modified_arrott.png", c);
      draw_kouvel_fisher_figure(figures_, out_ / "kouvel_fisher.png", c);
      // Drawn whenever it has isotherms: one branch alone is still worth a look.
      if (!sc.isotherms.empty())
        draw_scaling_figure(figures_, out_ / "scaling.png", sc, m_unit());
      else
        figures_.not_drawn(mh_sources_ + ": scaling plot not drawn: " + sc.message);
    }
    UniversalCurve u = universal_curve(s, cli_.universal);
    // Two tests of the order that disagree (weakly first order, Bean-Rodbell eta = 1.2: Banerjee
    // "second order", the universal curve spread 6.3 % > 6 %) leave the order undecided: said in
    // both sections rather than one verdict each.
    if (u.usable() && !u.collapses && json_.contains("arrott") && !json_["arrott"]["first_order"].get<bool>()) {
      const auto& aj = json_["arrott"];
      std::string w =
          "contradictory verdicts on the order of the transition: Arrott/Banerjee says second order, "
          "the universal curve " +
          u.verdict;
      if (aj["evidence_arrott_slope"].is_number() && aj["evidence_arrott_slope"].get<double>() < 0)
        w += "; the most negative Arrott slope, " + fmt(aj["evidence_arrott_slope"].get<double>(), 4) + " at " +
             fmt(aj["evidence_temperature_K"].get<double>(), 4) + " K, is negative though not significantly (" +
             fmt(aj["evidence_t"].get<double>(), 3) + " standard errors)";
      w += ": a weakly first-order transition gives both; the order is not decided";
      u.warnings.push_back(w);
      json_["arrott"]["warnings"].push_back(w);
    }
    json_["universal_curve"] = universal_curve_json(u, cli_.universal);
    std::cout << "Universal curve: " << u.brief_report() << '\n';
    for (const auto& w : u.warnings) warn(mh_sources_ + " (universal curve): " + w);
    if (u.usable()) {
      write_file_atomic(out_ / "universal_curve.csv", universal_curve_csv(u));
      draw_universal_curve_figure(figures_, out_ / "universal_curve.png", u);
    } else {
      figures_.not_drawn(mh_sources_ + ": universal curve not drawn: " + u.message);
    }
  }

  // Tc from the exponents' fit against Tc found without them (min dM/dT of the M(T) files): a fit
  // that bends its exponents to the data can move Tc (Bean-Rodbell eta = 0.5: 118.67 +- 0.05 K for 120).
  void check_tc_against_mt(CriticalSummary& c) const {
    if (!json_.contains("curie")) return;
    for (const auto& k : json_["curie"]) {
      if (!k["transition_found"].get<bool>() || !k["Tc_K"].is_number()) continue;
      const double tc = k["Tc_K"].get<double>(), err = k["Tc_err_K"].is_number() ? k["Tc_err_K"].get<double>() : 0.0;
      // The M(T) dip sits a little above Tc in a field (generated 3D Heisenberg, 500 Oe: 137.65 K for
      // 137.3, 0.25 %): 0.3 % of Tc allowed besides twice the errors.
      // The fit's own error, not the quoted one: that holds the Kouvel-Fisher spread, a doubt of the
      // method, and would widen the test by the very disagreement it looks for (eta = 0.5: 0.29 K).
      const double fit_se = c.equation_of_state.tc_se_K;
      const double allowed = 2 * std::hypot(fit_se, err) + 0.003 * tc;
      if (std::abs(c.tc_K - tc) > allowed)
        c.warnings.push_back("Tc " + fmt(c.tc_K, 6) + " +- " + fmt(fit_se, 2) + " K of the critical fit differs from " +
                             fmt(tc, 6) + " +- " + fmt(err, 2) + " K of M(T) (" + k["file"].get<std::string>() + ", " +
                             fmt(k["field_Oe"].get<double>()) + " Oe) by more than " + fmt(allowed, 3) +
                             " K: the exponents rest on a Tc the data do not support");
    }
  }

  void write_tables(const EntropyChange& s) {
    const auto n = field_exponent(s);
    std::ostringstream dsm, ncsv;
    dsm << std::setprecision(10) << "T_K";
    ncsv << std::setprecision(10) << "T_K";
    const std::string unit = per_gram_ ? "JkgK" : "mJ_per_K";
    for (std::size_t k = 1; k < s.field_Oe.size(); ++k) {
      dsm << ",minus_dSm_" << unit << "_at_" << fmt(s.field_Oe[k] * 1e-4, 8) << "T";
      ncsv << ",n_at_" << fmt(s.field_Oe[k] * 1e-4, 8) << "T";
    }
    // Every -dSm is integrated across the first field interval, so its doubt is on every row; a row
    // averaged over a wide gap between isotherms carries that gap's warning too. n(T, H) is the slope
    // of ln -dSm in ln H at the same row, so it carries the same doubts.
    dsm << ",warnings";
    ncsv << ",warnings";
    // The whole spin entropy R ln(2J + 1) / M_mol is 110 J/(kg K) for Gd (J = 7/2), the most of any
    // element in practice; the largest -dSm reported (giant first-order MCE) are 20-40 J/(kg K).
    // Far beyond that, the mass or the moment unit is off (a mass in g read as mg: x 1000).
    double largest = 0;
    for (const auto& row : s.minus_dSm)
      for (double v : row)
        if (std::isfinite(v)) largest = std::max(largest, v);
    std::string unit_doubt;
    if (per_gram_ && largest > kMaxPlausibleMinusDsm_JkgK) {
      unit_doubt = "-dSm reaches " + fmt(largest, 4) + " J/(kg K), more than " + fmt(kMaxPlausibleMinusDsm_JkgK) +
                   " J/(kg K), above the whole spin entropy of Gd (R ln 8 / M = 110 J/(kg K)): likely a unit "
                   "error (sample mass in g read as mg, or the moment unit); every per-gram number is suspect";
      warn(mh_sources_ + ": " + unit_doubt);
    }
    std::string demag_doubt;
    if (!demag_limited_T_K_.empty()) {
      std::string fields;
      for (std::size_t k = 1; k < s.field_Oe.size(); ++k)
        if (s.field_Oe[k] < demag_limit_Oe_) fields += (fields.empty() ? "" : ", ") + fmt(s.field_Oe[k] * 1e-4, 4);
      const auto [tlo, thi] = std::minmax_element(demag_limited_T_K_.begin(), demag_limited_T_K_.end());
      if (!fields.empty()) {
        demag_doubt = "with --demag, -dSm at " + fields +
                      " T is unreliable: " + std::to_string(demag_limited_T_K_.size()) + " isotherms (" + fmt(*tlo, 5) +
                      " to " + fmt(*thi, 5) +
                      " K) hold the internal field near 0 (domains) until H = 4 pi N rho M, and are " +
                      "measured beyond that only from " + fmt(demag_limit_Oe_ * 1e-4, 4) +
                      " T internal; below it M is interpolated across the domain jump";
        // Terminal only, as the lower fields' peak doubts: the top-level list would reach the top
        // field's numbers in a report.
        std::cerr << "WARNING: " << mh_sources_ << ": " << demag_doubt << '\n';
      }
    }
    // The peak doubts of the fields below the top one (the top one's is peak_doubt_warning): one
    // warning, on every row, since each column's peak is a row of its own.
    const std::string& field_doubts = s.lower_fields_doubt;
    // On the terminal, but not in the top-level list: a report gives that list's isotherm doubts to
    // every number of the isotherms (beta, the top field's -dSm max), and these are the lower fields'.
    if (!field_doubts.empty()) std::cerr << "WARNING: " << mh_sources_ << ": " << field_doubts << '\n';
    dsm << '\n', ncsv << '\n';
    for (std::size_t i = 0; i < s.temperature_mid_K.size(); ++i) {
      dsm << s.temperature_mid_K[i];
      ncsv << s.temperature_mid_K[i];
      for (std::size_t k = 1; k < s.field_Oe.size(); ++k) {
        dsm << ',' << s.minus_dSm[i][k];
        ncsv << ',';
        if (std::isfinite(n[i][k])) ncsv << n[i][k];
      }
      std::vector<std::string> row_warnings = s.midpoint_warnings[i];
      if (!s.peak_doubt_warning.empty()) row_warnings.insert(row_warnings.begin(), s.peak_doubt_warning);
      if (!field_doubts.empty()) row_warnings.insert(row_warnings.begin(), field_doubts);
      if (!demag_doubt.empty()) row_warnings.insert(row_warnings.begin(), demag_doubt);
      if (!unit_doubt.empty()) row_warnings.insert(row_warnings.begin(), unit_doubt);
      dsm << ',' << csv_list(row_warnings);
      ncsv << ',' << csv_list(row_warnings);
      dsm << '\n', ncsv << '\n';
    }
    write_file_atomic(out_ / "dSm.csv", dsm.str());
    write_file_atomic(out_ / "n_exponent.csv", ncsv.str());

    nlohmann::json merits = nlohmann::json::array();
    MceMerit top;
    for (std::size_t k = 1; k < s.field_Oe.size(); ++k) {
      std::vector<double> col;
      for (const auto& row : s.minus_dSm) col.push_back(row[k]);
      const MceMerit m = compute_mce_merit(s.temperature_mid_K, col, s.field_Oe[k]);
      // n(T, H) at the tabulated temperature nearest the refined peak.
      std::size_t ip = 0;
      for (std::size_t i = 1; i < s.temperature_mid_K.size(); ++i)
        if (std::abs(s.temperature_mid_K[i] - m.peak_T_K) < std::abs(s.temperature_mid_K[ip] - m.peak_T_K)) ip = i;
      std::vector<std::string> field_warnings = m.warnings;
      if (!unit_doubt.empty()) field_warnings.insert(field_warnings.begin(), unit_doubt);
      // This field's own doubts, apart from its "warnings", which a report gives to the top
      // field's headline numbers: its peak doubt beyond kPeakDoubtLimit, its demagnetisation limit.
      const std::string peak_doubt_here =
          k < s.peak_doubt_field_warning.size() ? s.peak_doubt_field_warning[k] : std::string();
      const std::string demag_here = s.field_Oe[k] < demag_limit_Oe_ ? demag_doubt : std::string();
      nlohmann::json tec = nlohmann::json::object();
      for (const auto& t : m.tec)
        tec["TEC_" + fmt(t.lift_K) + "K"] = {{"value", json_number(t.value)}, {"center_K", json_number(t.center_K)}};
      merits.push_back({{"mu0H_T", s.field_Oe[k] * 1e-4},
                        {"minus_dSm_max", json_number(m.peak)},
                        {"Tp_K", json_number(m.peak_T_K)},
                        {"minus_dSm_max_tabulated", json_number(m.peak_raw)},
                        {"T_tabulated_K", json_number(m.peak_raw_T_K)},
                        {"peak_at_edge", m.peak_at_edge},
                        {"warnings", field_warnings},
                        {"dT_FWHM_K", json_number(m.fwhm_K)},
                        {"FWHM_range_K", {json_number(m.fwhm_low_K), json_number(m.fwhm_high_K)}},
                        {"RCP", json_number(m.rcp)},
                        {"RC", json_number(m.rc)},
                        {"TEC", tec},
                        {"first_interval_doubt", json_number(s.first_interval_doubt[k])},
                        {"spacing_doubt", json_number(s.spacing_doubt[k])},
                        {"peak_doubt", json_number(s.peak_doubt[k])},
                        {"peak_doubt_warning", peak_doubt_here},
                        {"demag_warning", demag_here},
                        {"n_at_Tp", json_number(n[ip][k])},
                        {"n_at_Tp_T_K", s.temperature_mid_K[ip]}});
      if (k + 1 == s.field_Oe.size()) {
        top = m;
        for (const auto& w : m.warnings) warn(mh_sources_ + " (" + fmt(s.field_Oe[k] * 1e-4) + " T): " + w);
      }
    }
    nlohmann::json entropy_warnings = nlohmann::json::array();
    if (!unit_doubt.empty()) entropy_warnings.push_back(unit_doubt);
    if (!s.peak_doubt_warning.empty()) entropy_warnings.push_back(s.peak_doubt_warning);
    // field_doubts stay out: this section's doubts reach the top field's headline numbers in a
    // report, and they are the lower fields' (merit_by_field and the rows carry them).

    json_["entropy"] = {{"method", "Maxwell relation, neighbour differences at midpoint temperatures, trapezoids in H"},
                        {"isotherm_T_K", s.isotherm_T_K},
                        {"field_grid_first_Oe", s.field_Oe.front()},
                        {"field_grid_step_Oe", s.field_Oe.size() > 1 ? s.field_Oe[1] - s.field_Oe[0] : 0.0},
                        {"field_grid_last_Oe", s.field_Oe.back()},
                        {"zero_point_added", s.zero_point_added},
                        {"table", "dSm.csv"},
                        {"field_exponent_table", "n_exponent.csv"},
                        {"merit_by_field", merits},
                        {"peak_doubt_limit", kPeakDoubtLimit},
                        // Kept here too, so that a report gives it to the -dSm numbers only.
                        {"warnings", entropy_warnings}};
    std::cout << "-dSm at " << fmt(s.field_Oe.back() * 1e-4) << " T: max " << fmt(top.peak, 4) << ' ' << ds_unit()
              << " at Tp = " << fmt(top.peak_T_K, 5) << " K, "
              << (std::isfinite(top.fwhm_K) ? "dT_FWHM = " + fmt(top.fwhm_K, 4) + " K, RCP = " + fmt(top.rcp, 4) + ' ' +
                                                  rc_unit() + ", RC = " + fmt(top.rc, 4) + ' ' + rc_unit()
                                            : std::string("dT_FWHM, RCP and RC not given (see the warning)"))
              << ", TEC(3 K) = " << tec_text(top.tec[0].value) << ", TEC(10 K) = " << tec_text(top.tec[1].value)
              << '\n';
  }

  const MceCli& cli_;
  CommandContext& ctx_;
  std::filesystem::path out_;
  MeasurementSegmentOptions segment_;
  nlohmann::json json_ = nlohmann::json::object();
  std::vector<std::string> warnings_;
  FigureBatch figures_;  // drawn at the end of the run, together (gnuplot_figure.hpp says why)
  std::vector<std::string> figure_warnings_;
  std::map<std::string, std::string> mt_stem_;  // M(T) input -> its distinct figure stem
  std::vector<MhCurve> curves_;
  // With --demag: the isotherms whose low fields are demagnetisation-limited (read_mh), and the
  // highest internal field at which one of them is first measured beyond that region.
  std::vector<double> demag_limited_T_K_;
  double demag_limit_Oe_ = 0;
  std::string mh_sources_;
  bool per_gram_ = true;
};

}  // namespace

void add_mce_command(CLI::App& app, CommandContext& ctx) {
  auto cli = std::make_shared<MceCli>();
  auto* cmd = app.add_subcommand(kMceCommand, "Magnetocaloric analysis of Quantum Design M(T) and M(H) files");
  add_config_option(*cmd);
  cmd->add_option("--mt", cli->mt_files, "Field-cooled M(T) file(s): Tc from min dM/dT (each file on its own)");
  cmd->add_option("--mh", cli->mh_files, "M(H) isotherm file(s), pooled: Arrott plots and -dSm(T, H)");
  cmd->add_option("-o,--out", cli->out_dir,
                  "Output folder (mce.json, dSm.csv, n_exponent.csv, critical.csv, universal_curve.csv, figures)" +
                      std::string(kRecordedOutHelp))
      ->required();
  cmd->add_option("--mass", cli->mass_mg,
                  "Sample mass [mg], overrides the header (0: none, moment-only outputs); default: header SAMPLE_MASS");
  cmd->add_option("--moment-column", cli->moment_column,
                  "Moment column by exact name, read in the unit its name states (emu, memu, A m2; none: emu, "
                  "with a warning); default: per row, the first with a number of DC Moment Free Ctr (emu), DC Moment "
                  "Fixed Ctr (emu), Moment (emu), Long Moment (emu), M_emu, each also in memu or A m2");
  cmd->add_option("--demag", cli->demag_N, "Demagnetising factor N (SI, 0..1): H_int = H - N M")->capture_default_str();
  cmd->add_option("--density", cli->density_g_cm3, "Sample density [g/cm^3], needed with --demag")
      ->capture_default_str();
  cmd->add_option("--field-step-Oe", cli->field_step_Oe,
                  "Common field grid step [Oe]; default: field range / (median points per isotherm - 1)")
      ->check(kPositiveNumber);
  cmd->add_option("--zero-field-tolerance-Oe", cli->zero_field_tolerance_Oe,
                  "Isotherms starting at or below this field [Oe] get the point H = 0, M = 0")
      ->capture_default_str()
      ->check(kNonNegativeNumber);
  cmd->add_option("--isotherm-tolerance-K", cli->isotherm_tolerance_K,
                  "Rows within this of an isotherm's mean temperature [K] belong to it")
      ->capture_default_str()
      ->check(kPositiveNumber);
  cmd->add_option("--tc-half-window", cli->tc_half_window, "Points each side of the local quadratic for dM/dT")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_option("--arrott-high-field-fraction", cli->arrott_fraction,
                  "Banerjee test on H >= this fraction of each isotherm's highest field")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.95));
  cmd->add_option("--critical-t-max", cli->critical.reduced_t_max,
                  "Critical exponents: the self-consistent modified Arrott fit and its checks use isotherms with "
                  "|T - Tc|/Tc <= this (at least 4 each side)")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 0.5));
  cmd->add_option("--critical-field-fraction", cli->critical.field_fraction,
                  "Critical exponents: fit points with H >= this fraction of each isotherm's highest field")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.95));
  cmd->add_option("--universal-field-fraction", cli->universal.field_fraction,
                  "Universal curve and n(Tc) use fields >= this fraction of the highest")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--universal-max-spread", cli->universal.max_spread,
                  "Universal curve collapses when the rms spread across fields, relative to the mean curve, is at "
                  "most this")
      ->capture_default_str()
      ->check(kPositiveNumber);
  cmd->callback([cli, &ctx]() { MceRun(*cli, ctx).run(); });
}

}  // namespace mgscope

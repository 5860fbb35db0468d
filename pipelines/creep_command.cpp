// `mgscope creep FILE... -o OUTDIR`: Maxwell-Voigt fits of the hold segments, relaxation
// spectra and the mean +- sd of repeats (docs/indentation.md).
#include <algorithm>
#include <iostream>
#include <sstream>

#include "fitting/base/error.hpp"
#include "fitting/base/parallel_for.hpp"
#include "fitting/base/text_file.hpp"
#include "fitting/indent_analysis.hpp"
#include "fitting/indent_load_groups.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/config_file.hpp"
#include "pipelines/csv_format.hpp"
#include "pipelines/gnuplot_figure.hpp"
#include "pipelines/indent_inputs.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/output_record.hpp"
#include "pipelines/plot_rows.hpp"
#include "pipelines/usage_errors.hpp"

namespace mgscope {

namespace {

struct CreepArgs {
  std::vector<std::string> files;
  std::string out_dir;
  std::optional<int> units;
  std::string kernel = "paper";
  std::optional<double> hold_start_s, hold_end_s, contact_area_nm2, tau_min_s, tau_max_s;
  double hold_tolerance = 0.002;
  std::vector<double> area_coefficients = {24.5};
  double epsilon = 0.75;
  double frame_compliance_nm_per_mN = 0;
  int starts = 3, grid_per_decade = 4, max_iterations = 100;
  double spectrum_tau_min_s = 0.01, spectrum_tau_max_s = 1000, merge_ratio = 6;
  int spectrum_points_per_decade = 20;
  int threads = 0;
  int figures = 5;
};

std::string creep_csv(const std::vector<CreepAnalysis>& results) {
  std::ostringstream h;
  h << "source,status,message,units,c0_nm,c0_se_nm";
  for (int k = 1; k <= 3; ++k) h << ",h" << k << "_nm,h" << k << "_se_nm,tau" << k << "_s,tau" << k << "_se_s";
  h << ",mu0_s_per_nm,mu0_se_s_per_nm,residual_rms_nm,r_squared,aic,aic_N1,aic_N2,aic_N3,iterations,points,"
       "hold_start_time_s,hold_s,hold_load_mN,hold_start_depth_nm,contact_area_nm2,area_source,"
       "peak1_tau_s,peak1_L_per_GPa,peak1_unit,peak2_tau_s,peak2_L_per_GPa,peak2_unit,peak3_tau_s,peak3_L_per_GPa,"
       "peak3_unit,merged_peaks,warnings";
  const std::string header = h.str();
  // An unusable curve: source, status and message, empty numbers, its warnings.
  const auto empty_cells = static_cast<std::size_t>(std::count(header.begin(), header.end(), ',')) - 3;
  std::ostringstream o;
  o << header << '\n';
  for (const CreepAnalysis& a : results) {
    const CreepModel& m = a.fit.best;
    o << csv_field(a.source) << ',' << to_string(a.status) << ',' << csv_field(a.message);
    if (!a.usable()) {
      o << std::string(empty_cells, ',') << ',' << csv_list(a.warnings) << '\n';
      continue;
    }
    o << ',' << m.units << ',' << csv_number(m.c0_nm) << ',' << csv_number(m.c0_se_nm);
    for (std::size_t k = 0; k < 3; ++k) {
      if (k < m.kelvin.size()) {
        const KelvinUnit& u = m.kelvin[k];
        o << ',' << csv_number(u.h_nm) << ',' << csv_number(u.h_se_nm) << ',' << csv_number(u.tau_s) << ','
          << csv_number(u.tau_se_s);
      } else {
        o << ",,,,";
      }
    }
    o << ',' << csv_number(m.mu0_s_per_nm()) << ',' << csv_number(m.mu0_se_s_per_nm()) << ','
      << csv_number(m.residual_rms_nm) << ',' << csv_number(m.r_squared) << ',' << csv_number(m.aic);
    for (int n = 1; n <= 3; ++n) {
      o << ',';
      for (const CreepModel& c : a.fit.candidates)
        if (c.units == n) o << csv_number(c.aic);
    }
    o << ',' << m.iterations << ',' << a.fit.points << ',' << csv_number(a.hold_start_time_s) << ','
      << csv_number(a.fit.hold_s) << ',' << csv_number(a.hold_load_mN) << ',' << csv_number(a.hold_start_depth_nm)
      << ',' << csv_number(a.contact_area_nm2) << ',' << csv_field(a.area_source);
    for (std::size_t p = 0; p < 3; ++p) {  // N = 3 gives up to three peaks
      if (p < a.spectrum.peaks.size()) {
        const SpectrumPeak& q = a.spectrum.peaks[p];
        o << ',' << csv_number(q.tau_s) << ',' << csv_number(q.height_per_GPa) << ',' << q.unit;
      } else {
        o << ",,,";
      }
    }
    o << ',' << (a.spectrum.merged ? "true" : "false") << ',' << csv_list(a.warnings) << '\n';
  }
  return o.str();
}

nlohmann::json curve_json(const CreepAnalysis& a) {
  nlohmann::json j = {{"source", a.source}, {"status", to_string(a.status)}, {"message", a.message},
                      {"warnings", a.warnings}};
  if (!a.usable()) return j;
  const CreepModel& m = a.fit.best;
  nlohmann::json units = nlohmann::json::array();
  for (const KelvinUnit& u : m.kelvin)
    units.push_back({{"h_nm", json_number(u.h_nm)}, {"h_se_nm", json_number(u.h_se_nm)},
                     {"tau_s", json_number(u.tau_s)}, {"tau_se_s", json_number(u.tau_se_s)}});
  nlohmann::json aic = nlohmann::json::object();
  for (const CreepModel& c : a.fit.candidates) aic["N" + std::to_string(c.units)] = json_number(c.aic);
  nlohmann::json peaks = nlohmann::json::array();
  for (const SpectrumPeak& p : a.spectrum.peaks)
    peaks.push_back({{"tau_s", json_number(p.tau_s)}, {"L_per_GPa", json_number(p.height_per_GPa)}, {"unit", p.unit}});
  j["units"] = m.units;
  j["kelvin_units"] = units;
  j["c0_nm"] = json_number(m.c0_nm);
  j["mu0_s_per_nm"] = json_number(m.mu0_s_per_nm());
  j["mu0_se_s_per_nm"] = json_number(m.mu0_se_s_per_nm());
  j["residual_rms_nm"] = json_number(m.residual_rms_nm);
  j["depth_noise_nm"] = json_number(a.fit.depth_noise_nm);  // the yardstick of the residual's warning
  j["hold_load_drop"] = json_number(a.segments.hold_load_drop);
  j["r_squared"] = json_number(m.r_squared);
  j["aic"] = aic;
  j["points"] = a.fit.points;
  j["hold_s"] = json_number(a.fit.hold_s);
  j["hold_load_mN"] = json_number(a.hold_load_mN);
  j["hold_start_depth_nm"] = json_number(a.hold_start_depth_nm);
  j["contact_area_nm2"] = json_number(a.contact_area_nm2);
  j["area_source"] = a.area_source;
  j["spectrum_peaks"] = peaks;
  j["merged_peaks"] = a.spectrum.merged;
  return j;
}

// The hold data with the fit and its Kelvin and Maxwell (dashpot) parts, each from c0.
GnuplotFigure fit_figure(const CreepAnalysis& a, const std::filesystem::path& png) {
  const CreepModel& m = a.fit.best;
  std::ostringstream data;
  data << "# t_s dh_nm fit_nm kelvin_nm maxwell_nm\n";
  for (std::size_t i : plot_rows(a.hold_dh_nm)) {
    const double t = a.hold_t_s[i];
    data << t << ' ' << a.hold_dh_nm[i] << ' ' << m.depth_nm(t) << ' ' << m.c0_nm + m.kelvin_nm(t) << ' '
         << m.c0_nm + m.maxwell_nm(t) << '\n';
  }
  GnuplotFigure f;
  f.png = png;
  const std::string dat = png.stem().string() + ".dat";
  f.data_files = {{dat, data.str()}};
  f.script = "set title '" + curve_label(a.source) + "' noenhanced\nset xlabel 'time in hold (s)'\n"
             "set ylabel 'creep depth Δh (nm)'\nset key left top\n"
             "plot '" + dat + "' u 1:2 w p pt 7 ps 0.3 lc rgb '#999999' t 'data', "
             "'' u 1:3 w l lw 2 lc rgb '#000000' t 'fit (N = " + std::to_string(m.units) + ")', "
             "'' u 1:4 w l lw 2 dt 2 lc rgb '#1f77b4' t 'Kelvin units', "
             "'' u 1:5 w l lw 2 dt 3 lc rgb '#d62728' t 'Maxwell dashpot'\n";
  return f;
}

// The statistics of repeats, each with the curves it rests on, named as summary.json's `repeats` and
// `load_groups` name them (key(): "tau1_s"); name and unit apart, so that creep_by_load.csv can write
// each sd beside its mean ("tau1_sd_s").
struct RepeatStatistic {
  const char* name;
  const char* unit;
  MeanSd CreepRepeatStats::*member;
  std::vector<std::size_t> CreepRepeatStats::*from;
  std::string key() const { return std::string(name) + "_" + unit; }
};
const RepeatStatistic kRepeatStatistics[] = {
    {"tau1", "s", &CreepRepeatStats::tau1_s, &CreepRepeatStats::unit1_from},
    {"tau2", "s", &CreepRepeatStats::tau2_s, &CreepRepeatStats::unit2_from},
    {"h1", "nm", &CreepRepeatStats::h1_nm, &CreepRepeatStats::unit1_from},
    {"h2", "nm", &CreepRepeatStats::h2_nm, &CreepRepeatStats::unit2_from},
    {"mu0", "s_per_nm", &CreepRepeatStats::mu0_s_per_nm, &CreepRepeatStats::unit1_from},
    {"peak1_tau", "s", &CreepRepeatStats::peak1_tau_s, &CreepRepeatStats::peak1_from},
    {"peak1_L", "per_GPa", &CreepRepeatStats::peak1_height_per_GPa, &CreepRepeatStats::peak1_from},
    {"peak2_tau", "s", &CreepRepeatStats::peak2_tau_s, &CreepRepeatStats::peak2_from},
    {"peak2_L", "per_GPa", &CreepRepeatStats::peak2_height_per_GPa, &CreepRepeatStats::peak2_from}};

// The curves of one hold load (group_by_target) and the repeats' statistics over them.
struct CreepLoad {
  double hold_load_mN = 0, hold_start_depth_nm = 0;  // means
  std::size_t curves = 0;
  CreepRepeatStats stats;
  std::vector<std::string> warnings;        // "rests on N curve(s) with warnings: ..." (creep_by_load.csv)
  std::vector<std::string> doubted_curves;  // their sources (summary.json: the curves' doubts are theirs)
};

std::vector<CreepLoad> creep_by_load(const std::vector<const CreepAnalysis*>& good,
                                     const std::vector<std::vector<int>>& groups) {
  std::vector<CreepLoad> out;
  for (const std::vector<int>& g : groups) {
    CreepLoad l;
    std::vector<CreepModel> models;
    std::vector<Spectrum> spectra;
    std::vector<std::string> doubted;
    for (int i : g) {
      const CreepAnalysis& r = *good[std::size_t(i)];
      l.hold_load_mN += r.hold_load_mN / double(g.size());
      l.hold_start_depth_nm += r.hold_start_depth_nm / double(g.size());
      models.push_back(r.fit.best);
      spectra.push_back(r.spectrum);
      if (!r.warnings.empty()) {
        doubted.push_back(curve_label(r.source));
        l.doubted_curves.push_back(r.source);
      }
    }
    l.curves = g.size();
    l.stats = summarize_repeats(models, spectra);
    l.warnings = rests_on_doubted(doubted, "curve");
    out.push_back(std::move(l));
  }
  return out;
}

std::string creep_by_load_csv(const std::vector<CreepLoad>& loads) {
  std::ostringstream o;
  o << "hold_load_mN,hold_start_depth_nm,curves";
  for (const RepeatStatistic& s : kRepeatStatistics) o << ',' << s.key() << ',' << s.name << "_sd_" << s.unit;
  o << ",warnings\n";
  for (const CreepLoad& l : loads) {
    o << csv_number(l.hold_load_mN) << ',' << csv_number(l.hold_start_depth_nm) << ',' << l.curves;
    for (const RepeatStatistic& s : kRepeatStatistics) {
      const MeanSd& m = l.stats.*s.member;
      o << ',' << (m.n > 0 ? csv_number(m.mean) : "") << ',' << (m.n > 1 ? csv_number(m.sd) : "");
    }
    o << ',' << csv_list(l.warnings) << '\n';
  }
  return o.str();
}

}  // namespace

void add_creep_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<CreepArgs>();
  auto* cmd = app.add_subcommand(
      kCreepCommand,
      "Fit hold-segment creep (Maxwell-Voigt, Eq. 1) and relaxation spectra (Eq. 2); means over the curves and per "
      "hold load (creep_by_load.csv), with a warning when the curves mix loads");
  add_config_option(*cmd);
  cmd->add_option("files", args->files, "Indentation files: NanoTest .txt or .zip, TriboScan .txt, generic CSV")
      ->required();
  cmd->add_option("-o,--out", args->out_dir, std::string("Output folder") + kRecordedOutHelp)->required();
  cmd->add_option("--units", args->units, "Force N Kelvin units (1-3); default: N = 1..3, AIC picks")
      ->check(CLI::Range(1, 3));
  cmd->add_option("--kernel", args->kernel, "Spectrum kernel: paper (x(1+x)e^-x) or ferry (x^2 e^-x)")
      ->check(CLI::IsMember({"paper", "ferry"}))->capture_default_str();
  cmd->add_option("--hold-start-s", args->hold_start_s, "Hold start time in s (default: found from the load plateau)");
  cmd->add_option("--hold-end-s", args->hold_end_s, "Hold end time in s (default: found from the load plateau)");
  cmd->add_option("--hold-tolerance", args->hold_tolerance,
                  "The hold starts where the load comes within this fraction of the maximum, (0, 0.5]; it ends "
                  "where unloading starts")
      ->capture_default_str();
  cmd->add_option("--contact-area-nm2", args->contact_area_nm2,
                  "Contact area A0 at hold start in nm^2 (default: Oliver-Pharr area at hold start)")
      ->check(kPositiveNumber);
  cmd->add_option("--area-coefficients", args->area_coefficients,
                  "Area function C0,C1,C2,... of A = C0 hc^2 + C1 hc + C2 hc^1/2 + ... (hc in nm, A in nm^2)")
      ->delimiter(',')->capture_default_str();
  cmd->add_option("--epsilon", args->epsilon, "Oliver-Pharr geometry factor (Berkovich 0.75)")->capture_default_str();
  cmd->add_option("--frame-compliance-nm-per-mN", args->frame_compliance_nm_per_mN,
                  "The instrument frame's compliance in nm/mN, taken off every depth reading (h - C_f P) when the "
                  "export has not (0: none)")
      ->capture_default_str();
  cmd->add_option("--tau-min-s", args->tau_min_s, "Lower bound of tau in s (default: the sample step)")
      ->check(kPositiveNumber);
  cmd->add_option("--tau-max-s", args->tau_max_s, "Upper bound of tau in s (default: 5 x the hold time)")
      ->check(kPositiveNumber);
  cmd->add_option("--starts", args->starts, "Grid starts refined per N")->check(kPositiveNumber)->capture_default_str();
  cmd->add_option("--grid-per-decade", args->grid_per_decade, "Start grid points per decade of tau")
      ->check(kPositiveNumber)->capture_default_str();
  cmd->add_option("--max-iterations", args->max_iterations, "Levenberg-Marquardt iterations per start")
      ->check(kPositiveNumber)->capture_default_str();
  cmd->add_option("--spectrum-tau-min-s", args->spectrum_tau_min_s, "Spectrum grid start in s")
      ->check(kPositiveNumber)->capture_default_str();
  cmd->add_option("--spectrum-tau-max-s", args->spectrum_tau_max_s, "Spectrum grid end in s")
      ->check(kPositiveNumber)->capture_default_str();
  cmd->add_option("--spectrum-points-per-decade", args->spectrum_points_per_decade, "Spectrum grid density")
      ->check(kPositiveNumber)->capture_default_str();
  cmd->add_option("--merge-ratio", args->merge_ratio, "Units closer than this tau ratio give merged peaks (above 1)")
      ->capture_default_str();
  cmd->add_option("--threads", args->threads,
                  "Worker threads, 0 = all cores this process may use (its CPU affinity and cgroup quota); "
                  "results do not depend on it")
      ->check(kNonNegativeNumber)->capture_default_str();
  cmd->add_option("--figures", args->figures, "Creep-fit figures for at most this many curves (0: none)")
      ->check(kNonNegativeNumber)->capture_default_str();

  cmd->callback([args, &ctx]() {
    const CreepArgs& a = *args;
    CreepAnalysisOptions o;
    o.segments.hold_load_tolerance = a.hold_tolerance;
    o.segments.hold_start_s = a.hold_start_s;
    o.segments.hold_end_s = a.hold_end_s;
    o.fit.units = a.units;
    o.fit.starts = a.starts;
    o.fit.grid_points_per_decade = a.grid_per_decade;
    o.fit.max_iterations = a.max_iterations;
    o.fit.tau_min_s = a.tau_min_s;
    o.fit.tau_max_s = a.tau_max_s;
    o.spectrum.kernel = *parse_kernel(a.kernel);
    o.spectrum.tau_min_s = a.spectrum_tau_min_s;
    o.spectrum.tau_max_s = a.spectrum_tau_max_s;
    o.spectrum.points_per_decade = a.spectrum_points_per_decade;
    o.spectrum.merge_ratio = a.merge_ratio;
    o.oliver_pharr.area.coefficients = a.area_coefficients;
    o.oliver_pharr.epsilon = a.epsilon;
    o.oliver_pharr.frame_compliance_nm_per_mN = a.frame_compliance_nm_per_mN;
    o.contact_area_nm2 = a.contact_area_nm2;

    // Settings first, before any file is read: a bad one names its option once, not per file.
    if (const std::string bad = o.check(); !bad.empty()) throw UsageError(bad);
    const IndentInputs in = read_indent_inputs(a.files, std::nullopt, std::cerr, "creep");
    const std::vector<CreepAnalysis> results =
        analyse_curves<CreepAnalysis>(in, a.threads, [&](const IndentCurve& c) { return analyze_creep(c, o); });

    namespace fs = std::filesystem;
    const fs::path out(a.out_dir);
    OutputRecord record(out, kCreepCommand);
    write_file_atomic(out / "creep.csv", creep_csv(results));

    // spectrum.csv and the spectra figure: one column per usable curve and their mean.
    const std::vector<double> grid = spectrum_grid(o.spectrum);
    std::vector<const CreepAnalysis*> good;
    std::vector<CreepModel> models;
    std::vector<Spectrum> spectra;
    for (const CreepAnalysis& r : results) {
      if (!r.usable() || r.spectrum.tau_s.empty()) continue;
      good.push_back(&r);
      models.push_back(r.fit.best);
      spectra.push_back(r.spectrum);
    }
    // Each row holds every curve's L at one tau, and their mean: the row's doubts are those curves'
    // warnings (each named), and the mean's resting on them. The same on every row: a fit's doubt
    // is about its whole spectrum.
    std::vector<std::string> spectrum_warnings, doubted;
    for (const CreepAnalysis* r : good) {
      for (const std::string& w : r->warnings) spectrum_warnings.push_back(curve_label(r->source) + ": " + w);
      if (!r->warnings.empty()) doubted.push_back(curve_label(r->source));
    }
    std::vector<double> hold_loads, hold_depths;
    for (const CreepAnalysis* r : good) {
      hold_loads.push_back(r->hold_load_mN);
      hold_depths.push_back(r->hold_start_depth_nm);
    }
    // Curves held at several loads (a depth series) are not repeats of one measurement: said, and
    // their statistics given per load.
    const std::vector<std::vector<int>> load_groups_of = group_by_target(hold_loads, hold_depths);
    const std::string mixed_loads = mixed_loads_warning(hold_loads, load_groups_of);
    const std::vector<CreepLoad> loads = creep_by_load(good, load_groups_of);
    write_file_atomic(out / "creep_by_load.csv", creep_by_load_csv(loads));
    for (const std::string& w : rests_on_doubted(doubted, "curve")) spectrum_warnings.push_back("L_mean_per_GPa " + w);
    if (!mixed_loads.empty()) spectrum_warnings.push_back("L_mean_per_GPa: " + mixed_loads);
    const std::string row_warnings = csv_list(spectrum_warnings);
    std::ostringstream csv, dat;
    csv << "tau_s";
    for (const CreepAnalysis* r : good) csv << ',' << csv_field("L_per_GPa:" + curve_label(r->source));
    csv << ",L_mean_per_GPa,warnings\n";
    for (std::size_t i = 0; i < grid.size(); ++i) {
      double sum = 0;
      csv << csv_number(grid[i]);
      dat << grid[i];
      for (const CreepAnalysis* r : good) {
        sum += r->spectrum.L_per_GPa[i];
        csv << ',' << csv_number(r->spectrum.L_per_GPa[i]);
        dat << ' ' << r->spectrum.L_per_GPa[i];
      }
      const double mean = good.empty() ? NAN : sum / static_cast<double>(good.size());
      csv << ',' << csv_number(mean) << ',' << row_warnings << '\n';
      dat << ' ' << mean << '\n';
    }
    write_file_atomic(out / "spectrum.csv", csv.str());

    FigureBatch figures;
    if (!good.empty()) {
      GnuplotFigure f;
      f.png = out / "spectra.png";
      f.data_files = {{"spectra.dat", dat.str()}};
      std::ostringstream s;
      s << "set logscale x\nset format x '10^{%L}'\nset xlabel 'τ (s)'\nset ylabel 'L(τ) (GPa^{-1})'\n"
        << "set title 'Relaxation spectra, kernel " << a.kernel << "'\nset key right top\nplot ";
      for (std::size_t k = 0; k < good.size(); ++k)
        s << "'spectra.dat' u 1:" << k + 2 << " w l lw 1 lc rgb '#9ecae1' " << (k == 0 ? "t 'curves'" : "notitle")
          << ", ";
      s << "'spectra.dat' u 1:" << good.size() + 2 << " w l lw 3 lc rgb '#08306b' t 'mean'\n";
      f.script = s.str();
      figures.add(std::move(f));
    }
    int drawn = 0;
    for (const CreepAnalysis* r : good) {
      if (drawn >= a.figures) break;
      ++drawn;
      figures.add(fit_figure(*r, out / ("creep_fit_" + std::to_string(drawn) + ".png")));
    }
    const std::vector<std::string> warnings = figures.draw(a.threads);  // --threads N: N gnuplot runs at once

    const CreepRepeatStats st = summarize_repeats(models, spectra);
    // A mean of repeats carries the doubts of the curves it averages, as hardness's means do (a tau1
    // from a fit with R^2 0.40 went into repeats.tau1_s without a word).
    const auto pooled = [&](const MeanSd& m, const std::vector<std::size_t>& from) {
      std::vector<std::string> doubted_in, sources;
      for (std::size_t i : from)
        if (!good[i]->warnings.empty()) {
          doubted_in.push_back(curve_label(good[i]->source));
          sources.push_back(good[i]->source);
        }
      nlohmann::json j = mean_sd_json(m);
      j["warnings"] = rests_on_doubted(doubted_in, "curve");
      if (!mixed_loads.empty()) j["warnings"].push_back(mixed_loads);
      j["doubted_curves"] = sources;  // the report gives the number these curves' warnings only
      return j;
    };
    nlohmann::json curves = nlohmann::json::array();
    for (const CreepAnalysis& r : results) curves.push_back(curve_json(r));
    nlohmann::json load_groups = nlohmann::json::array();
    for (const CreepLoad& l : loads) {
      nlohmann::json g = {{"hold_load_mN", json_number(l.hold_load_mN)},
                          {"hold_start_depth_nm", json_number(l.hold_start_depth_nm)},
                          {"curves", l.curves},
                          {"doubted_curves", l.doubted_curves}};
      for (const RepeatStatistic& s : kRepeatStatistics) g[s.key()] = mean_sd_json(l.stats.*s.member);
      load_groups.push_back(std::move(g));
    }
    int failed = 0;
    for (const CreepAnalysis& r : results) failed += !r.usable();
    nlohmann::json j = {
        {"units", {{"time", "s"}, {"depth", "nm"}, {"load", "mN"}, {"mu0", "s/nm"}, {"L", "1/GPa"}, {"area", "nm^2"}}},
        {"kernel", a.kernel},
        {"options",
         {{"units_forced", a.units ? nlohmann::json(*a.units) : nlohmann::json(nullptr)},
          {"starts", a.starts},
          {"grid_per_decade", a.grid_per_decade},
          {"max_iterations", a.max_iterations},
          {"tau_min_s", a.tau_min_s ? json_number(*a.tau_min_s) : nlohmann::json("sample step")},
          {"tau_max_s", a.tau_max_s ? json_number(*a.tau_max_s) : nlohmann::json("5 x hold time")},
          {"contact_area_nm2", a.contact_area_nm2 ? json_number(*a.contact_area_nm2) : nlohmann::json("oliver-pharr")},
          {"area_coefficients", a.area_coefficients},
          {"frame_compliance_nm_per_mN", a.frame_compliance_nm_per_mN},
          {"epsilon", a.epsilon},
          {"merge_ratio", a.merge_ratio},
          {"hold_tolerance", a.hold_tolerance}}},
        {"curves", curves},
        {"curves_total", results.size()},
        {"curves_failed", failed},
        {"figure_warnings", warnings},
        {"load_groups", load_groups},
        {"repeats", nlohmann::json::object()}};
    for (const RepeatStatistic& s : kRepeatStatistics) j["repeats"][s.key()] = pooled(st.*s.member, st.*s.from);
    write_json_atomic(out / "summary.json", j);
    commit_outputs(record, std::cerr);

    for (const CreepAnalysis& r : results)
      if (r.usable()) std::cout << curve_label(r.source) << ": " << r.fit.brief_report() << '\n';
    report_analysis_failures(results, in, std::cerr);
    // Each curve's doubts in words, not only counted ("(1 warning)"): creep.csv and summary.json
    // have them too.
    for (const CreepAnalysis& r : results)
      for (const std::string& w : r.warnings) std::cerr << "WARNING: " << curve_label(r.source) << ": " << w << '\n';
    for (const std::string& w : warnings) std::cerr << "WARNING: " << w << '\n';
    if (!mixed_loads.empty()) std::cerr << "WARNING: means of the repeats and L_mean: " << mixed_loads << '\n';
    if (loads.size() > 1)  // a depth series: its means by load (creep_by_load.csv)
      for (const CreepLoad& l : loads) {
        auto value = [](const MeanSd& m) {
          return m.n == 0 ? std::string("n/a")
                          : number_text(m.mean, 4) + (m.n > 1 ? " +- " + number_text(m.sd, 2) : "");
        };
        std::cout << "  at " << number_text(l.hold_load_mN, 3) << " mN (" << l.curves
                  << " curves): tau1 = " << value(l.stats.tau1_s) << " s, tau2 = " << value(l.stats.tau2_s) << " s\n";
      }
    std::cout << results.size() - static_cast<std::size_t>(failed) << " of " << results.size()
              << " curves fitted; outputs in " << out.string() << '\n';
    ctx.exit_code = failed > 0 ? 1 : 0;
  });
}

}  // namespace mgscope

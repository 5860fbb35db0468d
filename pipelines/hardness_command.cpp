// `mgscope hardness FILE... -o OUTDIR`: Oliver-Pharr hardness and moduli per indent, pop-ins,
// a hardness map over the indent positions and the cumulative distribution (docs/indentation.md).
#include <algorithm>
#include <cmath>
#include <iostream>
#include <sstream>

#include "fitting/base/error.hpp"
#include "fitting/base/parallel_for.hpp"
#include "fitting/base/text_file.hpp"
#include "fitting/indent_analysis.hpp"
#include "fitting/indent_load_groups.hpp"
#include "fitting/io/indent_readers.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/config_file.hpp"
#include "pipelines/csv_format.hpp"
#include "pipelines/hardness_figures.hpp"
#include "pipelines/indent_inputs.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/output_record.hpp"
#include "pipelines/usage_errors.hpp"

namespace mgscope {

namespace {

struct HardnessArgs {
  std::vector<std::string> files;
  std::string out_dir;
  std::optional<std::string> positions;
  std::optional<double> hold_start_s, hold_end_s;
  double hold_tolerance = 0.002;
  std::vector<double> area_coefficients = {24.5};
  double fit_low = 0.20, fit_high = 0.95, epsilon = 0.75, beta = 1.034;
  double poisson = 0.3, indenter_modulus_GPa = 1141, indenter_poisson = 0.07;
  double frame_compliance_nm_per_mN = 0;
  int popin_window = 10;
  double popin_factor = 3, popin_min_nm = 2, popin_noise_factor = 5.5;
  int threads = 0;
  int figures = 5;
};

std::string hardness_csv(const std::vector<HardnessAnalysis>& results) {
  std::ostringstream o;
  o << "source,status,message,x_um,y_um,max_load_mN,max_depth_nm,alpha_mN,exponent_m,final_depth_nm,"
       "stiffness_mN_per_nm,contact_depth_nm,contact_area_nm2,hardness_GPa,reduced_modulus_GPa,modulus_GPa,"
       "fit_points,fit_rms_mN,popins,popin_loads_mN,popin_depths_nm,popin_jumps_nm,popin_limit_nm,"
       "popin_spread_limit_nm,depth_noise_nm,hardness_sd_GPa,reduced_modulus_sd_GPa,modulus_sd_GPa,warnings\n";
  for (const HardnessAnalysis& h : results) {
    const OliverPharrResult& r = h.oliver_pharr;
    o << csv_field(h.source) << ',' << to_string(h.status) << ',' << csv_field(h.message) << ','
      << (h.x_um ? csv_number(*h.x_um) : "") << ',' << (h.y_um ? csv_number(*h.y_um) : "");
    if (!h.usable()) {
      o << std::string(24, ',') << csv_list(h.warnings) << '\n';
      continue;
    }
    for (double v : {r.max_load_mN, r.max_depth_nm, r.alpha_mN, r.exponent_m, r.final_depth_nm, r.stiffness_mN_per_nm,
                     r.contact_depth_nm, r.contact_area_nm2, r.hardness_GPa, r.reduced_modulus_GPa, r.modulus_GPa})
      o << ',' << csv_number(v);
    o << ',' << r.fit_points << ',' << csv_number(r.fit_rms_mN) << ',' << h.popins.size();
    std::string loads, depths, jumps;
    for (const Popin& p : h.popins) {
      const std::string sep = loads.empty() ? "" : ";";
      loads += sep + csv_number(p.load_mN);
      depths += sep + csv_number(p.depth_nm);
      jumps += sep + csv_number(p.jump_nm);
    }
    o << ',' << loads << ',' << depths << ',' << jumps << ',' << csv_number(h.popin_limit_nm) << ','
      << csv_number(h.popin_spread_limit_nm) << ',' << csv_number(h.depth_noise_nm);
    for (double sd : {r.hardness_sd_GPa, r.reduced_modulus_sd_GPa, r.modulus_sd_GPa}) o << ',' << csv_number(sd);
    o << ',' << csv_list(h.warnings) << '\n';
  }
  return o.str();
}

// The means of each load (hardness_by_load.csv): one row for indents all made at one load. The
// modulus' change with depth doubts every row (the area function), as it does the means.
std::string load_groups_csv(const LoadGroups& g) {
  std::ostringstream o;
  o << "max_load_mN,max_depth_nm,contact_depth_nm,indents,hardness_GPa,hardness_sd_GPa,reduced_modulus_GPa,"
       "reduced_modulus_sd_GPa,modulus_GPa,modulus_sd_GPa,warnings\n";
  for (const LoadGroup& l : g.groups) {
    o << csv_number(l.max_load_mN) << ',' << csv_number(l.max_depth_nm) << ',' << csv_number(l.contact_depth_nm) << ','
      << l.indents.size();
    for (const MeanSd* m : {&l.hardness_GPa, &l.reduced_modulus_GPa, &l.modulus_GPa})
      o << ',' << csv_number(m->mean) << ',' << (m->n > 1 ? csv_number(m->sd) : "");
    o << ',' << csv_list(g.modulus_warnings) << '\n';
  }
  return o.str();
}

nlohmann::json load_groups_json(const LoadGroups& g) {
  nlohmann::json groups = nlohmann::json::array();
  for (const LoadGroup& l : g.groups)
    groups.push_back({{"max_load_mN", json_number(l.max_load_mN)},
                      {"max_depth_nm", json_number(l.max_depth_nm)},
                      {"contact_depth_nm", json_number(l.contact_depth_nm)},
                      {"hardness_GPa", mean_sd_json(l.hardness_GPa)},
                      {"reduced_modulus_GPa", mean_sd_json(l.reduced_modulus_GPa)},
                      {"modulus_GPa", mean_sd_json(l.modulus_GPa)}});
  return groups;
}

nlohmann::json depth_trend_json(const DepthTrend& t) {
  auto group = [](int k) { return k < 0 ? nlohmann::json(nullptr) : nlohmann::json(k); };
  auto when_checked = [&](double v) { return t.checked ? json_number(v) : nlohmann::json(nullptr); };
  return {{"checked", t.checked},
          {"not_checked", t.not_checked.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.not_checked)},
          {"shallow_group", group(t.shallow)},
          {"deep_group", group(t.deep)},
          {"hardness_change", when_checked(t.hardness_change)},
          {"hardness_z", when_checked(t.hardness_z)},
          {"modulus_change", when_checked(t.modulus_change)},
          {"modulus_z", when_checked(t.modulus_z)}};
}

}  // namespace

void add_hardness_command(CLI::App& app, CommandContext& ctx) {
  auto args = std::make_shared<HardnessArgs>();
  auto* cmd =
      app.add_subcommand(kHardnessCommand,
                         "Oliver-Pharr hardness and modulus per indent, pop-ins, hardness maps, and the means per load "
                         "(hardness_by_load.csv), with a warning when E (the tip's area function) or H changes with "
                         "depth between the loads");
  add_config_option(*cmd);
  cmd->add_option("files", args->files, "Indentation files: NanoTest .txt or .zip, TriboScan .txt, generic CSV")
      ->required();
  cmd->add_option("-o,--out", args->out_dir, std::string("Output folder") + kRecordedOutHelp)->required();
  cmd->add_option("--positions", args->positions, "Positions CSV (file, x_um, y_um) for the hardness map");
  cmd->add_option("--hold-start-s", args->hold_start_s, "Hold start time in s (default: found from the load plateau)");
  cmd->add_option("--hold-end-s", args->hold_end_s, "Hold end time in s = start of unloading (default: found)");
  cmd->add_option("--hold-tolerance", args->hold_tolerance,
                  "The hold starts where the load comes within this fraction of the maximum, (0, 0.5]; it ends "
                  "where unloading starts")
      ->capture_default_str();
  cmd->add_option("--area-coefficients", args->area_coefficients,
                  "Area function C0,C1,C2,... of A = C0 hc^2 + C1 hc + C2 hc^1/2 + ... (hc in nm, A in nm^2)")
      ->delimiter(',')->capture_default_str();
  cmd->add_option("--frame-compliance-nm-per-mN", args->frame_compliance_nm_per_mN,
                  "The instrument frame's compliance in nm/mN, taken off every depth reading (h - C_f P) when the "
                  "export has not (0: none)")
      ->capture_default_str();
  cmd->add_option("--fit-low", args->fit_low, "Unloading fit from this fraction of Pmax")->capture_default_str();
  cmd->add_option("--fit-high", args->fit_high, "Unloading fit up to this fraction of Pmax")->capture_default_str();
  cmd->add_option("--epsilon", args->epsilon, "Geometry factor of hc = hmax - eps Pmax/S (Berkovich 0.75)")
      ->capture_default_str();
  cmd->add_option("--beta", args->beta, "Indenter shape factor of Er (Berkovich 1.034)")->capture_default_str();
  cmd->add_option("--poisson", args->poisson, "Poisson's ratio of the sample, in (-1, 0.5)")->capture_default_str();
  cmd->add_option("--indenter-modulus-GPa", args->indenter_modulus_GPa, "Indenter Young's modulus in GPa (diamond)")
      ->capture_default_str();
  cmd->add_option("--indenter-poisson", args->indenter_poisson, "Indenter Poisson's ratio (diamond)")
      ->capture_default_str();
  cmd->add_option("--popin-window", args->popin_window, "Samples each side for the local median depth step")
      ->check(kPositiveNumber)->capture_default_str();
  cmd->add_option("--popin-factor", args->popin_factor, "A pop-in step exceeds this x the local median step (above 1)")
      ->capture_default_str();
  cmd->add_option("--popin-min-nm", args->popin_min_nm, "A pop-in step is at least this many nm")
      ->capture_default_str();
  cmd->add_option("--popin-noise-factor", args->popin_noise_factor,
                  "A pop-in's depth gain exceeds this x the noise of such a gain on the loading segment")
      ->capture_default_str();
  cmd->add_option("--threads", args->threads,
                  "Worker threads, 0 = all cores this process may use (its CPU affinity and cgroup quota); "
                  "results do not depend on it")
      ->check(kNonNegativeNumber)->capture_default_str();
  cmd->add_option("--figures", args->figures, "Load-depth figures for at most this many indents (0: none)")
      ->check(kNonNegativeNumber)->capture_default_str();

  cmd->callback([args, &ctx]() {
    const HardnessArgs& a = *args;
    HardnessAnalysisOptions o;
    o.segments.hold_load_tolerance = a.hold_tolerance;
    o.segments.hold_start_s = a.hold_start_s;
    o.segments.hold_end_s = a.hold_end_s;
    o.oliver_pharr.area.coefficients = a.area_coefficients;
    o.oliver_pharr.frame_compliance_nm_per_mN = a.frame_compliance_nm_per_mN;
    o.oliver_pharr.fit_low_fraction = a.fit_low;
    o.oliver_pharr.fit_high_fraction = a.fit_high;
    o.oliver_pharr.epsilon = a.epsilon;
    o.oliver_pharr.beta = a.beta;
    o.oliver_pharr.sample_poisson = a.poisson;
    o.oliver_pharr.indenter_modulus_GPa = a.indenter_modulus_GPa;
    o.oliver_pharr.indenter_poisson = a.indenter_poisson;
    o.popins.window = a.popin_window;
    o.popins.jump_factor = a.popin_factor;
    o.popins.min_jump_nm = a.popin_min_nm;
    o.popins.noise_factor = a.popin_noise_factor;

    // Settings first, before any file is read: a bad one names its option once, not per file.
    for (const std::string& bad : {o.segments.check(), o.oliver_pharr.check(), o.popins.check()})
      if (!bad.empty()) throw UsageError(bad);
    const IndentInputs in = read_indent_inputs(a.files, a.positions, std::cerr, "hardness");
    const std::vector<HardnessAnalysis> results =
        analyse_curves<HardnessAnalysis>(in, a.threads, [&](const IndentCurve& c) { return analyze_hardness(c, o); });
    namespace fs = std::filesystem;
    const fs::path out(a.out_dir);
    OutputRecord record(out, kHardnessCommand);
    write_file_atomic(out / "hardness.csv", hardness_csv(results));

    std::vector<double> H, Er, E, popin_counts;
    std::vector<IndentNumbers> averaged;  // the indents of the means, for their loads' groups
    std::vector<MappedHardness> map;
    std::vector<std::pair<double, double>> crossed;  // left-out indents' positions (um)
    std::vector<std::string> warnings;
    int failed = 0;
    // An indent whose H or Er no solid has is left out of the means, the CDF and the map (one such
    // indent, a unit read wrong, made a steel's mean H 2757 GPa); it stays in hardness.csv and
    // `indents` with its warnings. The means say so, and which of their indents carry doubts.
    std::vector<std::string> left_out, doubted;
    for (const HardnessAnalysis& h : results) {
      if (!h.usable()) {
        ++failed;
        continue;
      }
      if (h.oliver_pharr.implausible) {
        left_out.push_back(curve_label(h.source));
        if (h.x_um && h.y_um) crossed.emplace_back(*h.x_um, *h.y_um);
        continue;
      }
      if (!h.warnings.empty()) doubted.push_back(curve_label(h.source));
      const OliverPharrResult& r = h.oliver_pharr;
      H.push_back(r.hardness_GPa);
      Er.push_back(r.reduced_modulus_GPa);
      E.push_back(r.modulus_GPa);
      averaged.push_back(
          {r.max_load_mN, r.max_depth_nm, r.contact_depth_nm, r.hardness_GPa, r.reduced_modulus_GPa, r.modulus_GPa});
      popin_counts.push_back(static_cast<double>(h.popins.size()));
      if (h.x_um && h.y_um) map.push_back({*h.x_um, *h.y_um, h.oliver_pharr.hardness_GPa, !h.warnings.empty()});
    }
    const LoadGroups loads = group_by_load(averaged, o.oliver_pharr.area.formula());
    write_file_atomic(out / "hardness_by_load.csv", load_groups_csv(loads));
    FigureBatch figures;
    if (!H.empty()) draw_hardness_cdf(figures, out / "hardness_cdf.png", H);
    if (map.size() >= 4) draw_hardness_map(figures, out / "hardness_map.png", map, crossed);  // fewer is no map
    if (loads.groups.size() > 1) draw_hardness_depth(figures, out / "hardness_depth.png", averaged, loads);
    int drawn = 0;
    for (std::size_t i = 0; i < in.curves.size() && drawn < a.figures; ++i) {
      if (!results[i].usable()) continue;
      ++drawn;
      draw_load_depth(figures, out / ("load_depth_" + std::to_string(drawn) + ".png"), curve_label(in.curves[i].source),
                      in.curves[i], results[i], a.fit_low);
    }
    for (std::string& w : figures.draw(a.threads)) warnings.push_back(std::move(w));  // N gnuplot runs at once

    nlohmann::json per = nlohmann::json::array();
    for (const HardnessAnalysis& h : results) {
      nlohmann::json pops = nlohmann::json::array();
      for (const Popin& p : h.popins)
        pops.push_back({{"load_mN", json_number(p.load_mN)}, {"depth_nm", json_number(p.depth_nm)},
                        {"jump_nm", json_number(p.jump_nm)}});
      per.push_back(
          {{"source", h.source},
           {"status", to_string(h.status)},
           {"message", h.message},
           {"hardness_GPa", h.usable() ? json_number(h.oliver_pharr.hardness_GPa) : nullptr},
           {"reduced_modulus_GPa", h.usable() ? json_number(h.oliver_pharr.reduced_modulus_GPa) : nullptr},
           {"hardness_sd_GPa", h.usable() ? json_number(h.oliver_pharr.hardness_sd_GPa) : nullptr},
           {"reduced_modulus_sd_GPa", h.usable() ? json_number(h.oliver_pharr.reduced_modulus_sd_GPa) : nullptr},
           {"popins", pops},
           {"popin_limit_nm", h.usable() ? json_number(h.popin_limit_nm) : nullptr},
           {"popin_spread_limit_nm", h.usable() ? json_number(h.popin_spread_limit_nm) : nullptr},
           {"depth_noise_nm", h.usable() ? json_number(h.depth_noise_nm) : nullptr},
           {"warnings", h.warnings}});
    }
    std::vector<std::string> mean_warnings;
    if (!left_out.empty())
      mean_warnings.push_back(std::to_string(left_out.size()) + " indent(s) left out of the mean, whose H or Er no " +
                              "solid has (check the load and depth units): " + listed_names(left_out));
    for (std::string& w : rests_on_doubted(doubted, "indent")) mean_warnings.push_back(std::move(w));
    // A modulus that changes with depth doubts all three (the area function); a hardness that does
    // doubts its mean only.
    for (const std::string& w : loads.modulus_warnings) mean_warnings.push_back(w);
    auto mean_with_doubts = [&](const std::vector<double>& v, const std::vector<std::string>& own) {
      nlohmann::json m = mean_sd_json(v);
      m["warnings"] = mean_warnings;
      for (const std::string& w : own) m["warnings"].push_back(w);
      return m;
    };
    nlohmann::json j = {
        {"units", {{"load", "mN"}, {"depth", "nm"}, {"hardness", "GPa"}, {"modulus", "GPa"}, {"position", "um"}}},
        {"indents_total", results.size()},
        {"indents_failed", failed},
        {"indents_left_out", left_out},
        {"hardness_GPa", mean_with_doubts(H, loads.hardness_warnings)},
        {"reduced_modulus_GPa", mean_with_doubts(Er, {})},
        {"modulus_GPa", mean_with_doubts(E, {})},
        {"load_groups", load_groups_json(loads)},
        {"depth_trend", depth_trend_json(loads.trend)},
        {"popins_per_indent", mean_sd_json(popin_counts)},
        {"options",
         {{"area_coefficients", a.area_coefficients},
          {"frame_compliance_nm_per_mN", a.frame_compliance_nm_per_mN},
          {"epsilon", a.epsilon},
          {"beta", a.beta},
          {"sample_poisson", a.poisson},
          {"indenter_modulus_GPa", a.indenter_modulus_GPa},
          {"indenter_poisson", a.indenter_poisson},
          {"fit_fraction_of_Pmax", {a.fit_low, a.fit_high}},
          {"popin_window", a.popin_window},
          {"popin_factor", a.popin_factor},
          {"popin_min_nm", a.popin_min_nm},
          {"popin_noise_factor", a.popin_noise_factor}}},
        {"indents", per},
        {"figure_warnings", warnings}};
    write_json_atomic(out / "summary.json", j);
    commit_outputs(record, std::cerr);

    report_analysis_failures(results, in, std::cerr);
    for (const HardnessAnalysis& h : results)
      for (const std::string& w : h.warnings) std::cerr << "WARNING: " << curve_label(h.source) << ": " << w << '\n';
    for (const std::string& w : warnings) std::cerr << "WARNING: " << w << '\n';
    for (const std::string& w : mean_warnings) std::cerr << "WARNING: mean H, Er and E: " << w << '\n';
    for (const std::string& w : loads.hardness_warnings) std::cerr << "WARNING: mean H: " << w << '\n';
    if (loads.groups.size() > 1) {  // a depth series: its means by load (hardness_by_load.csv)
      auto value = [](const MeanSd& m) {
        return number_text(m.mean, 4) + (m.n > 1 ? " +- " + number_text(m.sd, 2) : "") + " GPa";
      };
      for (const LoadGroup& l : loads.groups)
        std::cout << "  at " << number_text(l.max_load_mN, 3) << " mN (" << l.indents.size() << " indents, h_c "
                  << number_text(std::round(l.contact_depth_nm), 6) << " nm): H = " << value(l.hardness_GPa)
                  << ", E = " << value(l.modulus_GPa) << '\n';
    }
    const MeanSd m = mean_sd(H);
    std::cout << H.size() + left_out.size() << " of " << results.size() << " indents analysed; ";
    if (m.n == 0)
      std::cout << "no hardness";  // not "H = nan +- nan GPa"
    else if (m.n == 1)
      std::cout << "H = " << m.mean << " GPa (one indent: no spread)";
    else
      std::cout << "H = " << m.mean << " +- " << m.sd << " GPa (mean +- sd)";
    if (!left_out.empty()) std::cout << ", " << left_out.size() << " left out of it (see the warnings)";
    std::cout << "; outputs in " << out.string() << '\n';
    ctx.exit_code = failed > 0 ? 1 : 0;
  });
}

}  // namespace mgscope

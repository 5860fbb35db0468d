// `mgscope dsc FILE... -o OUTDIR`: Tg, Tx, crystallisation/melting enthalpies and the relaxation
// enthalpy of each DSC run, with every construction written out and drawn; treatment series.
#include <cctype>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "fitting/base/error.hpp"
#include "fitting/io/dsc_readers.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/batch.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/config_file.hpp"
#include "pipelines/dsc_report.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/output_record.hpp"
#include "pipelines/usage_errors.hpp"

namespace mgscope {

namespace {

struct DscCommandOptions {
  std::vector<std::string> files;
  std::string outdir;
  std::string reference;
  int first_heating = 1;
  std::optional<int> reference_heating;
  std::vector<double> treatments;
  std::string treatment_csv;
  std::string treatment_name = "treatment";
  std::vector<double> tg_window, tx_window, rel_window;
  RelaxationOptions relaxation;
  TransitionOptions transitions;
  std::optional<double> mass_mg, rate_K_per_min;
  std::string exotherm;
  DscReadOptions read;
};

// An onset refused as out of its construction's bounds is NaN: "n/a", as the warning explains.
// With "+- err" where the analysis gives one (dsc_uncertainty.hpp).
std::string kelvin_or_na(double T_K, double err_K = kNaN) {
  std::ostringstream s;
  if (!std::isfinite(T_K)) return "n/a";
  s << T_K;
  if (std::isfinite(err_K)) s << " +- " << number_text(err_K, 2);
  s << " K";
  return s.str();
}

std::optional<WindowK> window_option(const std::vector<double>& v, const char* name) {
  if (v.empty()) return std::nullopt;
  if (v.size() != 2 || !(v[1] > v[0])) throw UsageError(std::string(name) + ": give LOW,HIGH in K with LOW < HIGH");
  return WindowK{v[0], v[1]};
}

struct TreatmentEntry {
  double treatment = 0;
  std::string reference;
};

// file,treatment[,reference] rows; a file matches by its path as given or by its file name.
std::map<std::string, TreatmentEntry> read_treatment_csv(const std::string& path) {
  const TextFile tf = read_text_file(path);
  std::map<std::string, TreatmentEntry> out;
  int c_file = -1, c_treat = -1, c_ref = -1;
  std::size_t header = 0;
  for (std::size_t i = 0; i < tf.lines.size(); ++i) {
    if (trim(tf.lines[i]).empty() || trim(tf.lines[i])[0] == '#') continue;
    const auto f = split_fields(tf.lines[i], guess_delimiter(tf.lines[i]));
    if (!header) {
      header = i + 1;
      for (std::size_t k = 0; k < f.size(); ++k) {
        const std::string n = trim(f[k]);
        if (n == "file") c_file = int(k);
        if (n == "treatment") c_treat = int(k);
        if (n == "reference") c_ref = int(k);
      }
      if (c_file < 0 || c_treat < 0)
        fail_input(path, "line " + std::to_string(header) +
                             ": needs columns 'file' and 'treatment' (and optionally 'reference')");
      continue;
    }
    if (int(f.size()) <= std::max({c_file, c_treat, c_ref}))
      fail_input(path, "line " + std::to_string(i + 1) + ": too few fields");
    TreatmentEntry e;
    e.treatment = parse_number(f[std::size_t(c_treat)], path, i + 1, "treatment");
    if (c_ref >= 0 && !trim(f[std::size_t(c_ref)]).empty()) {
      // A relative reference path that does not exist from here is taken relative to the CSV.
      std::filesystem::path ref(trim(f[std::size_t(c_ref)]));
      if (ref.is_relative() && !std::filesystem::exists(ref)) ref = std::filesystem::path(path).parent_path() / ref;
      e.reference = ref.string();
    }
    out[trim(f[std::size_t(c_file)])] = e;
  }
  return out;
}

const TreatmentEntry* find_entry(const std::map<std::string, TreatmentEntry>& m, const std::string& file) {
  for (const std::string& key : {file, std::filesystem::path(file).filename().string()})
    if (auto it = m.find(key); it != m.end()) return &it->second;
  return nullptr;
}

std::vector<DscScanReport> analyse_file(const DscRun& run, const DscCommandOptions& o) {
  CurveOptions co{o.mass_mg, o.rate_K_per_min, std::nullopt};
  if (!o.exotherm.empty()) co.exotherm = o.exotherm == "up" ? Exotherm::Up : Exotherm::Down;
  std::vector<DscScanReport> scans;
  const auto heating = require_heating_segments(run);
  for (std::size_t k = 0; k < heating.size(); ++k) {
    DscScanReport s{make_curve(run, heating[k], co), {}, {}, int(k) + 1, "other", {}};
    s.transitions = analyse_transitions(s.curve, o.transitions);
    s.uncertainty = transition_uncertainty(s.curve, o.transitions, s.transitions);
    const std::string heating_name = "heating " + std::to_string(k + 1) + ": ";
    for (const auto& w : s.curve.warnings) s.warnings.push_back(heating_name + w);
    for (const auto& w : s.transitions.warnings) s.warnings.push_back(heating_name + w);
    for (const auto& w : s.uncertainty.warnings) s.warnings.push_back(heating_name + w);
    scans.push_back(std::move(s));
  }
  return scans;
}

void run_dsc(DscCommandOptions& o, CommandContext& ctx) {
  namespace fs = std::filesystem;
  o.transitions.tg_window = window_option(o.tg_window, "--tg-window");
  o.transitions.tx_window = window_option(o.tx_window, "--tx-window");
  o.relaxation.window = window_option(o.rel_window, "--rel-window");
  o.relaxation.skip_start_K = o.transitions.skip_start_K;  // the glass anchor starts past the start hook
  if (!o.treatments.empty() && o.treatments.size() != o.files.size())
    throw UsageError("--treatment has " + std::to_string(o.treatments.size()) + " values for " +
                     std::to_string(o.files.size()) + " files");
  if (o.first_heating < 1) throw UsageError("--first-heating counts from 1");
  // Two sources of one number: which one wins would be a silent rule.
  if (!o.treatments.empty() && !o.treatment_csv.empty())
    throw CLI::ValidationError("--treatment", "give the treatments either by --treatment or in --treatment-csv "
                                              "(its treatment column), not both");
  // Settings are usage errors (exit 2), as every other command's are: they were exit 1 here.
  if (const std::string bad = o.transitions.check(); !bad.empty()) throw UsageError(bad);
  if (!(o.relaxation.align_span_K > 0 && o.relaxation.align_span_K <= 500))
    throw UsageError("--align-span must lie in (0, 500] K");
  if (o.reference_heating && *o.reference_heating < 1) throw UsageError("--reference-heating counts from 1");
  // --mass and --rate: the library's rules (make_curve holds every caller to them), said up front.
  if (const std::string bad = CurveOptions{o.mass_mg, o.rate_K_per_min, std::nullopt}.check(); !bad.empty())
    throw UsageError(bad);
  const auto table =
      o.treatment_csv.empty() ? std::map<std::string, TreatmentEntry>{} : read_treatment_csv(o.treatment_csv);

  std::vector<DscSampleReport> reports;
  std::set<std::string> stems;
  std::size_t index = 0;
  auto job = [&](const std::string& file) {
    const std::size_t i = index++;
    DscSampleReport rep;
    rep.path = file;
    const DscRun run = read_dsc(file, o.read);
    rep.sample = run.sample;
    rep.temperature_column = run.temperature_column;
    const DscTemperatureColumn& tc = run.temperature_column;
    if (!tc.others.empty()) {  // the pick among several is said, as the QD reader says its moment column
      std::string others;
      for (const auto& c : tc.others) others += (others.empty() ? "'" : ", '") + c + "'";
      std::cout << file << ": temperature column '" << tc.label << "' (" << tc.why << "), not " << others << '\n';
    }
    rep.format = to_string(run.format);
    rep.exotherm = !o.exotherm.empty()
                       ? o.exotherm + " (option)"
                       : std::string(to_string(run.exotherm)) + (run.exotherm_from_file ? " (file)" : " (assumed)");
    rep.warnings = rep.file_warnings = run.warnings;
    // A doubt goes to the terminal and summary.json, and to the dsc.csv rows whose numbers rest on it.
    auto file_doubt = [&](const std::string& w) { rep.file_warnings.push_back(w), rep.warnings.push_back(w); };
    auto rel_doubt = [&](const std::string& w) { rep.relaxation_warnings.push_back(w), rep.warnings.push_back(w); };
    rep.scans = analyse_file(run, o);
    if (o.first_heating > int(rep.scans.size()))
      fail_input(file, "has " + std::to_string(rep.scans.size()) + " heating segment(s); --first-heating is " +
                           std::to_string(o.first_heating));
    rep.first = o.first_heating - 1;
    rep.scans[std::size_t(rep.first)].role = "first";
    const TreatmentEntry* entry = find_entry(table, file);
    if (!o.treatments.empty()) rep.treatment = o.treatments[i];
    else if (entry) rep.treatment = entry->treatment;
    else if (!table.empty())
      file_doubt("not listed in " + o.treatment_csv);

    rep.reference_path = entry && !entry->reference.empty() ? entry->reference : o.reference;
    if (!rep.reference_path.empty() && rep.reference_path != file) {
      auto ref_scans = analyse_file(read_dsc(rep.reference_path, o.read), o);
      const int k = o.reference_heating.value_or(1);
      if (k < 1 || k > int(ref_scans.size()))
        fail_input(rep.reference_path, "has " + std::to_string(ref_scans.size()) +
                                           " heating segment(s); --reference-heating is " + std::to_string(k));
      rep.reference = ref_scans[std::size_t(k - 1)];
    } else {
      rep.reference_path = file;
      const int k = o.reference_heating.value_or(2);
      // A heating the user named must exist and differ from the first heating, as --first-heating
      // must exist; the default (the second) may be missing, which only leaves dH_rel out.
      if (o.reference_heating && k > int(rep.scans.size()))
        fail_input(file, "has " + std::to_string(rep.scans.size()) + " heating segment(s); --reference-heating is " +
                             std::to_string(k));
      if (o.reference_heating && k == o.first_heating)
        fail_input(file, "--reference-heating " + std::to_string(k) + " is the first heating (--first-heating " +
                             std::to_string(o.first_heating) + "): a scan is no reference for itself; give another "
                             "heating or --reference FILE");
      if (k >= 1 && k <= int(rep.scans.size()) && k != o.first_heating) {
        rep.scans[std::size_t(k - 1)].role = "reference";
        rep.reference = rep.scans[std::size_t(k - 1)];
      } else {
        // "(heating 2 of 1)" had read as a count gone wrong.
        const std::size_t n = rep.scans.size();
        rel_doubt("no reference heating: the file holds " + std::to_string(n) + (n == 1 ? " heating" : " heatings") +
                  ", the reference would be heating " + std::to_string(k) +
                  "; no relaxation enthalpy (give --reference FILE, a second heating of the sample)");
      }
    }
    if (rep.reference) {
      rep.reference->role = "reference";
      const DscScanReport& f = rep.scans[std::size_t(rep.first)];
      rep.relaxation =
          relaxation_enthalpy(f.curve, f.transitions, rep.reference->curve, rep.reference->transitions, o.relaxation);
      if (!rep.relaxation->usable()) rel_doubt("relaxation enthalpy: " + rep.relaxation->message);
      for (const auto& w : rep.relaxation->warnings) rel_doubt(w);
      // dH_rel rests on the reference heating too: its doubts join the first heating's row (and, from
      // another file, which only this sample shows, the terminal and summary.json).
      for (const auto& w : rep.reference->warnings) {
        if (rep.reference_path == file)
          rep.relaxation_warnings.push_back(w);
        else
          rel_doubt("reference " + rep.reference_path + ": " + w);
      }
    }
    for (const auto& s : rep.scans) rep.warnings.insert(rep.warnings.end(), s.warnings.begin(), s.warnings.end());
    // The first heating's Tg is the sample's (summary.json): when it is missing, why was said in
    // constructions.json only, and an empty Tg_onset_K in dsc.csv left the user guessing. (With
    // --tg-window the analysis warns already.)
    const GlassTransition& tg = rep.scans[std::size_t(rep.first)].transitions.tg;
    if (o.transitions.find_glass_transition && !o.transitions.tg_window && !tg.found) {
      rep.warnings.push_back("heating " + std::to_string(o.first_heating) +
                             ": no glass transition found: " + tg.message);
      rep.scans[std::size_t(rep.first)].warnings.push_back(rep.warnings.back());
    }
    // A figure name per input, unique even when two inputs share a file name.
    std::string stem = fs::path(file).stem().string();
    for (char& c : stem)  // the figure script quotes file names: keep them plain
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') c = '_';
    rep.stem = stem;
    for (int n = 2; stems.count(rep.stem); ++n) rep.stem = stem + "_" + std::to_string(n);
    stems.insert(rep.stem);

    const auto& f = rep.scans[std::size_t(rep.first)];
    std::cout << file << ": " << rep.scans.size() << " heating scan(s), exotherm " << rep.exotherm;
    if (f.transitions.tg.found)
      std::cout << ", Tg onset " << kelvin_or_na(f.transitions.tg.onset_K, f.uncertainty.tg_onset.err_K);
    if (const Peak* x = rep.crystallisation()) {
      const DscScanReport& xs = *rep.crystallisation_scan();
      std::cout << ", Tx onset " << kelvin_or_na(x->onset_K, xs.uncertainty.tx_onset.err_K);
      const double dtx = supercooled_liquid_region_K(xs.transitions);
      if (std::isfinite(dtx)) std::cout << ", dTx " << kelvin_or_na(dtx, xs.uncertainty.dtx.err_K);
    }
    if (rep.relaxation && rep.relaxation->usable())
      std::cout << ", dH_rel " << rep.relaxation->enthalpy << ' ' << rep.relaxation->enthalpy_unit;
    for (const Peak& m : f.transitions.melting) std::cout << ", melting peak " << m.peak_K << " K";
    std::cout << '\n';
    for (const auto& w : rep.warnings) std::cerr << "WARNING: " << file << ": " << w << '\n';
    reports.push_back(std::move(rep));
  };
  const BatchResult batch = run_batch(o.files, job, std::cerr, "dsc");
  const fs::path out(o.outdir);
  // Every file may have failed: the folder then holds no outputs, rather than the previous run's.
  OutputRecord record(out, kDscCommand);
  if (!reports.empty()) {
    // The figures of all files drawn together (gnuplot_figure.hpp says why); a figure's warning
    // joins its file's, the treatment figure's goes to the terminal only.
    bool any_treatment = false;
    for (const auto& r : reports) any_treatment |= r.treatment.has_value();
    std::vector<GnuplotFigure> figures;
    for (const DscSampleReport& r : reports) figures.push_back(dsc_figure(r, o.outdir));
    if (any_treatment) figures.push_back(dsc_treatment_figure(reports, out, o.treatment_name));
    const std::vector<std::string> figure_warnings = render_figures(figures);
    for (std::size_t i = 0; i < figure_warnings.size(); ++i) {
      if (figure_warnings[i].empty()) continue;
      if (i < reports.size()) reports[i].warnings.push_back(figure_warnings[i]);
      if (i < reports.size()) reports[i].file_warnings.push_back(figure_warnings[i]);
      std::cerr << "WARNING: " << (i < reports.size() ? reports[i].path + ": " : "") << figure_warnings[i] << '\n';
    }
    write_file_atomic(out / "dsc.csv", dsc_scans_csv(reports, batch.failures));
    write_json_atomic(out / "constructions.json", dsc_constructions_json(reports));
    nlohmann::json summary = dsc_summary_json(reports, o.treatment_name);
    for (const auto& f : batch.failures) summary["failures"].push_back({{"input", f.input}, {"message", f.message}});
    write_json_atomic(out / "summary.json", summary);
    if (any_treatment) write_file_atomic(out / "dsc_treatment.csv", dsc_treatment_csv(reports));
    std::cout << "wrote " << (out / "dsc.csv").string() << ", constructions.json, summary.json"
              << (any_treatment ? ", dsc_treatment.csv" : "") << " and figures\n";
  }
  commit_outputs(record, std::cerr);
  ctx.exit_code = batch.exit_code();
}

}  // namespace

void add_dsc_command(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<DscCommandOptions>();
  auto* cmd =
      app.add_subcommand(kDscCommand,
                         "Tg, Tx, dTx = Tx - Tg and the melting onset Tm (K, each +- its uncertainty from the noise "
                         "and the settings), "
                         "crystallisation/melting enthalpy (J/g) and "
                         "relaxation enthalpy with its uncertainty (J/g) from DSC exports "
                         "(NETZSCH Proteus ASCII, TA Universal Analysis text, generic CSV)");
  add_config_option(*cmd);
  cmd->add_option("files", o->files, "DSC export files")->required();
  cmd->add_option("-o,--out,--outdir", o->outdir, std::string("Output folder") + kRecordedOutHelp)->required();
  cmd->add_option("--reference", o->reference,
                  "Reference scan file for every input (default: the input's own second heating)");
  cmd->add_option("--first-heating", o->first_heating, "Which heating segment is the first heating (1-based)")
      ->capture_default_str();
  cmd->add_option("--reference-heating", o->reference_heating,
                  "Which heating segment is the reference (1-based; default 2 in the same file, 1 in a --reference "
                  "file). A heating the file lacks, or the first heating itself, is an error");
  cmd->add_option("--treatment", o->treatments,
                  "Treatment value per FILE, in order (e.g. 0,10,20,40 cycles); not with --treatment-csv")
      ->delimiter(',');
  cmd->add_option("--treatment-csv", o->treatment_csv,
                  "CSV with columns file,treatment[,reference]; not with --treatment");
  cmd->add_option("--treatment-name", o->treatment_name, "Axis label of the treatment")->capture_default_str();
  cmd->add_option("--tg-window", o->tg_window,
                  "LOW,HIGH in K holding the Tg step; baselines at its ends (default: automatic). A heating without "
                  "a step there gets a warning")
      ->delimiter(',')->expected(2);
  cmd->add_option("--tx-window", o->tx_window,
                  "LOW,HIGH in K holding the crystallisation exotherm (default: automatic)")
      ->delimiter(',')
      ->expected(2);
  cmd->add_option(
         "--rel-window", o->rel_window,
         "LOW,HIGH in K of the relaxation integral (default: from the glass anchor, --align-span K past "
         "--skip-start, to the liquid anchor, the last --align-span K below crystallisation or the scans' end)")
      ->delimiter(',')
      ->expected(2);
  cmd->add_option("--align-span", o->relaxation.align_span_K,
                  "Length of each alignment anchor (glass below the window, liquid above it), K")
      ->capture_default_str();
  cmd->add_flag("--align-slope", o->relaxation.align_slope,
                "With no common liquid to anchor on: a line through the glass anchor, not an offset (with both "
                "anchors the alignment is always a line)");
  cmd->add_option("--baseline-span", o->transitions.baseline_span_K, "Length of each fitted baseline, K")
      ->capture_default_str();
  cmd->add_option("--smoothing", o->transitions.smoothing_K, "Half-width of the local regression for slopes, K")
      ->capture_default_str();
  cmd->add_option("--skip-start", o->transitions.skip_start_K,
                  "Kelvins at the start of a scan ignored by the searches, K")
      ->capture_default_str();
  cmd->add_option("--mass", o->mass_mg, "Sample mass override, mg, 0.001 to 100000 (default: the file's)")
      ->check(kPositiveNumber);
  cmd->add_option("--rate", o->rate_K_per_min, "Heating rate override, K/min (default: fitted per segment)")
      ->check(kPositiveNumber);
  cmd->add_option("--exotherm", o->exotherm, "Exotherm direction override: up or down (default: the file's)")
      ->check(CLI::IsMember({"up", "down"}));
  cmd->add_option("--temperature-column", o->read.temperature_column,
                  "Temperature column by its label as in the header, or its name without the unit (default: the "
                  "only one, else the one naming the sample; several, none naming the sample: an error)");
  cmd->callback([o, &ctx]() { run_dsc(*o, ctx); });
}

}  // namespace mgscope

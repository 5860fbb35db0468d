// `mgscope synth dsc -o OUTDIR`: synthetic DSC runs with known Tg, Tx, exotherm area and relaxation
// enthalpy (one run, or the demo treatment series), plus a truth.json for each.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>

#include "fitting/base/text_file.hpp"
#include "fitting/dsc_synth.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/output_record.hpp"
#include "pipelines/usage_errors.hpp"

namespace mgscope {

namespace {

struct SynthDscOptions {
  std::string outdir;
  std::string format = "netzsch";
  std::string name = "dsc_synthetic";
  bool demo = false;
  DscSynthParams params;
  double tx_onset_K = 657;
  double dH_rel_J_per_g = 0.2;
  std::optional<double> first_end_K, second_end_K;
  int replicates = 1;
};

nlohmann::json truth_json(const DscSynthParams& p) {
  const DscSynthTruth t = dsc_synth_truth(p);
  return {{"Tg_onset_K", t.tg_onset_K},   {"Tg_mid_K", t.tg_mid_K},         {"Tx_onset_K", t.tx_onset_K},
          {"Tx_peak_K", t.tx_peak_K},     {"dH_x_J_per_g", t.dH_x_J_per_g}, {"dH_rel_J_per_g", t.dH_rel_J_per_g},
          {"mass_mg", p.mass_mg},         {"rate_K_per_min", p.rate_K_per_min},
          {"noise_W_per_g", p.noise_W_per_g}, {"seed", p.seed},
          {"segments", "1 first heating (with relaxation), 2 cooling, 3 reference heating (through crystallisation)"}};
}

// The options of DscSynthParams' fields, for its check() to name what the user typed.
const std::vector<std::pair<std::string, std::string>> kDscSynthOptionOfField = {
    {"rate_K_per_min", "--rate"},       {"mass_mg", "--mass"},
    {"tg_mid_K", "--tg-mid"},           {"tg_width_K", "--tg-width"},
    {"step_W_per_g", "--step"},         {"first_end_K", "--first-end"},
    {"second_end_K", "--second-end"},   {"tx_sigma_K", "--tx-sigma"},
    {"dH_x_J_per_g", "--dhx"},          {"release_J_per_g", "--dh-rel"},
    {"overshoot_J_per_g", "--overshoot"}, {"noise_W_per_g", "--noise"}};

// The scan starts 192 K below the Tg midpoint and the exotherm peaks 2 sigma above its onset:
// those two options are checked here, for the parameters' check sees only what they became.
void check_derived_dsc_options(const SynthDscOptions& o) {
  if (!(o.params.tg_mid_K > 192))
    throw CLI::ValidationError("--tg-mid", "must be above 192 K (the first heating starts 192 K below it, above 0 K), "
                                           "got " + number_text(o.params.tg_mid_K, 6));
  if (!(o.tx_onset_K > 0))
    throw CLI::ValidationError("--tx-onset", "must be > 0 K, got " + number_text(o.tx_onset_K, 6));
}

// Writes one run; returns the file name.
std::string write_one(const std::filesystem::path& dir, const std::string& stem, const DscSynthParams& p,
                      const std::string& format) {
  const DscSynthRun run = generate_dsc(p);
  const bool netzsch = format == "netzsch";
  const std::string name = stem + (netzsch ? ".txt" : ".csv");
  write_file_atomic(dir / name, netzsch ? write_dsc_netzsch(run, p) : write_dsc_generic_csv(run, p));
  write_json_atomic(dir / (stem + "_truth.json"), truth_json(p));
  return name;
}

void run_synth_dsc(SynthDscOptions& o) {
  const std::filesystem::path dir(o.outdir);
  if (o.demo) {
    for (const DscDemoSample& d : dsc_demo_series(o.params.seed)) {  // before any file is written
      DscSynthParams p = d.params;
      p.noise_W_per_g = o.params.noise_W_per_g;
      refuse_bad_setting(p.check(), kDscSynthOptionOfField);
    }
    // The demo series is one set: a run with fewer replicates removes the earlier run's others.
    // (Single scans, --name, accumulate in a folder by design.)
    OutputRecord record(dir, "synth dsc --demo");
    std::string table = "file,treatment\n";
    for (int rep = 1; rep <= o.replicates; ++rep) {
      // Replicates differ in their noise only (another seed), so a group's sd is the noise's.
      for (const DscDemoSample& d : dsc_demo_series(o.params.seed + 100 * std::uint64_t(rep - 1))) {
        DscSynthParams p = d.params;
        p.noise_W_per_g = o.params.noise_W_per_g;
        const std::string stem = d.file_stem + (o.replicates > 1 ? "_r" + std::to_string(rep) : "");
        const std::string name = write_one(dir, stem, p, o.format);
        table += name + "," + std::to_string(int(d.treatment)) + "\n";
        std::cout << "wrote " << (dir / name).string() << '\n';
      }
    }
    write_file_atomic(dir / "treatments.csv", table);
    std::cout << "wrote " << (dir / "treatments.csv").string() << '\n';
    commit_outputs(record, std::cerr);
    return;
  }
  check_derived_dsc_options(o);
  DscSynthParams p = o.params;
  p.tx_peak_K = o.tx_onset_K + 2 * p.tx_sigma_K;
  p.release_J_per_g = o.dH_rel_J_per_g + p.overshoot_J_per_g;
  // The relaxation features and scan ends follow Tg and Tx (defaults as in DscSynthParams).
  p.relax_center_K = p.tg_mid_K - 32;
  p.overshoot_center_K = p.tg_mid_K + 6;
  p.start_K = std::min(p.start_K, p.tg_mid_K - 192);
  p.first_end_K = o.first_end_K.value_or(p.tg_mid_K + 40);
  p.second_end_K = o.second_end_K.value_or(p.tx_peak_K + 55);
  refuse_bad_setting(p.check(), kDscSynthOptionOfField);
  // Written before "wrote" is printed: a file that could not be written left "wrote ERROR: ...".
  const std::string name = write_one(dir, o.name, p, o.format);
  std::cout << "wrote " << (dir / name).string() << '\n';
}

}  // namespace

void add_synth_dsc_command(CLI::App& synth, CommandContext& ctx) {
  auto o = std::make_shared<SynthDscOptions>();
  auto* cmd = synth.add_subcommand("dsc", "Synthetic DSC run (heat, cool, reheat) with known Tg, Tx, dH_x, dH_rel");
  DscSynthParams& p = o->params;
  cmd->add_option("-o,--out,--outdir", o->outdir,
                  "Output folder; with --demo, run again into it, the command removes its earlier demo files that it "
                  "does not write again")
      ->required();
  cmd->add_option("--format", o->format, "netzsch (Proteus ASCII, decimal comma) or csv (generic)")
      ->check(CLI::IsMember({"netzsch", "csv"}))->capture_default_str();
  cmd->add_option("--name", o->name, "File stem")->capture_default_str();
  cmd->add_flag("--demo", o->demo,
                "Write the demo series (as-cast, 10, 20, 40 cycles) and treatments.csv; uses only --seed, --noise, "
                "--format, --replicates");
  cmd->add_option("--replicates", o->replicates, "Demo files per treatment (noise differs), for error bars")
      ->check(CLI::Range(1, 20))->capture_default_str();
  cmd->add_option("--seed", p.seed, "Noise seed")->capture_default_str();
  cmd->add_option("--noise", p.noise_W_per_g, "Noise standard deviation, W/g (>= 0)")->capture_default_str();
  cmd->add_option("--rate", p.rate_K_per_min, "Heating and cooling rate, K/min (> 0; at most 1e7 rows per run)")
      ->capture_default_str();
  cmd->add_option("--mass", p.mass_mg, "Sample mass, mg (0.001 to 100000)")->capture_default_str();
  cmd->add_option("--tg-mid", p.tg_mid_K, "Tg midpoint, K (above 192; onset = midpoint - 2 * width)")
      ->capture_default_str();
  cmd->add_option("--tg-width", p.tg_width_K, "Logistic width of the Tg step, K (> 0)")->capture_default_str();
  cmd->add_option("--step", p.step_W_per_g, "Height of the Tg step at 20 K/min, W/g (>= 0; scales with the rate)")
      ->capture_default_str();
  cmd->add_option("--first-end", o->first_end_K,
                  "End of the first heating, K, above the scan start (default: Tg midpoint + 40 K)");
  cmd->add_option("--second-end", o->second_end_K,
                  "End of the reference heating, K, above the scan start (default: Tx peak + 55 K)");
  cmd->add_option("--tx-onset", o->tx_onset_K, "Crystallisation onset, K (> 0; peak = onset + 2 * sigma)")
      ->capture_default_str();
  cmd->add_option("--tx-sigma", p.tx_sigma_K, "Gaussian sigma of the exotherm, K (> 0)")->capture_default_str();
  cmd->add_option("--dhx", p.dH_x_J_per_g, "Crystallisation enthalpy, J/g (>= 0)")->capture_default_str();
  cmd->add_option("--dh-rel", o->dH_rel_J_per_g, "Relaxation enthalpy (released - overshoot), J/g")
      ->capture_default_str();
  cmd->add_option("--overshoot", p.overshoot_J_per_g, "Endothermic Tg overshoot of the first heating, J/g (>= 0)")
      ->capture_default_str();
  cmd->callback([o, &ctx]() {
    run_synth_dsc(*o);
    ctx.exit_code = 0;
  });
}

}  // namespace mgscope

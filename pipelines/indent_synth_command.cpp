// `mgscope synth creep` and `mgscope synth indent`: indentation curves with known truth
// (Eq. 1 creep parameters; H, Er and pop-in loads on a grid), written as NanoTest text or CSV.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "fitting/base/text_file.hpp"
#include "fitting/indent_synth.hpp"
#include "fitting/relaxation_spectrum.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/output_record.hpp"
#include "pipelines/usage_errors.hpp"

namespace mgscope {

namespace {

struct SynthArgs {
  std::string out_dir;
  std::string format = "csv";
  std::uint64_t seed = 1;
  IndentSynthOptions curve;
  std::vector<double> h_nm = {8, 15}, tau_s = {2, 25};
  int count = 5;
  int grid = 8;
  double spacing_um = 20, hardness_spread_GPa = 0.5;
};

void add_common_options(CLI::App* cmd, SynthArgs& a) {
  cmd->add_option("-o,--out", a.out_dir, std::string("Output folder") + kRecordedOutHelp)->required();
  cmd->add_option("--format", a.format, "csv (generic CSV) or nanotest (Micro Materials TAB text)")
      ->check(CLI::IsMember({"csv", "nanotest"}))->capture_default_str();
  cmd->add_option("--seed", a.seed, "Random seed (same seed, same bytes)")->capture_default_str();
  cmd->add_option("--hardness-GPa", a.curve.hardness_GPa, "Hardness H in GPa (> 0)")->capture_default_str();
  cmd->add_option("--reduced-modulus-GPa", a.curve.reduced_modulus_GPa, "Reduced modulus Er in GPa (> 0)")
      ->capture_default_str();
  cmd->add_option("--max-load-mN", a.curve.max_load_mN, "Maximum (hold) load in mN (> 0)")->capture_default_str();
  cmd->add_option("--loading-rate", a.curve.loading_rate_mN_per_s, "Loading rate in mN/s (> 0)")->capture_default_str();
  cmd->add_option("--unloading-rate", a.curve.unloading_rate_mN_per_s, "Unloading rate in mN/s (> 0)")
      ->capture_default_str();
  cmd->add_option("--hold-s", a.curve.hold_s, "Hold time at maximum load in s (>= 0)")->capture_default_str();
  cmd->add_option("--rate-hz", a.curve.rate_Hz, "Sampling rate in Hz (> 0; at most 1e7 rows per curve)")
      ->capture_default_str();
  cmd->add_option("--noise-nm", a.curve.depth_noise_nm, "Gaussian depth noise sd in nm (>= 0)")->capture_default_str();
  cmd->add_option("--load-noise-mN", a.curve.load_noise_mN, "Gaussian load noise sd in mN (>= 0)")
      ->capture_default_str();
  cmd->add_option("--drift-nm-per-s", a.curve.drift_nm_per_s, "Thermal drift over the whole test in nm/s")
      ->capture_default_str();
  cmd->add_option("--area-coefficients", a.curve.area_coefficients,
                  "Tip area function C0,C1,C2,... of A = C0 hc^2 + C1 hc + C2 hc^1/2 + ... (hc in nm, A in nm^2)")
      ->delimiter(',')->capture_default_str();
  cmd->add_option("--frame-compliance-nm-per-mN", a.curve.frame_compliance_nm_per_mN,
                  "Frame compliance in nm/mN: each depth reading also holds the frame's deflection under the load "
                  "(>= 0)")
      ->capture_default_str();
}

std::string serialise(const IndentCurve& c, const std::string& format) {
  return format == "csv" ? format_indent_csv(c) : format_nanotest_text(c);
}

std::string extension(const std::string& format) { return format == "csv" ? ".csv" : ".txt"; }

// The options of IndentSynthOptions' fields, for its check() to name what the user typed.
const std::vector<std::pair<std::string, std::string>> kIndentSynthOptionOfField = {
    {"hardness_GPa", "--hardness-GPa"},
    {"reduced_modulus_GPa", "--reduced-modulus-GPa"},
    {"max_load_mN", "--max-load-mN"},
    {"loading_rate_mN_per_s", "--loading-rate"},
    {"unloading_rate_mN_per_s", "--unloading-rate"},
    {"hold_s", "--hold-s"},
    {"rate_Hz", "--rate-hz"},
    {"depth_noise_nm", "--noise-nm"},
    {"load_noise_mN", "--load-noise-mN"},
    {"drift_nm_per_s", "--drift-nm-per-s"},
    {"inv_mu0_nm_per_s", "--inv-mu0-nm-per-s"},
    {"creep_units.h_nm", "--h-nm"},
    {"creep_units.tau_s", "--tau-s"},
    {"popin_loads_mN", "--popin-loads-mN"},
    {"popin_size_nm", "--popin-nm"},
    {"area_coefficients", "--area-coefficients"},
    {"frame_compliance_nm_per_mN", "--frame-compliance-nm-per-mN"}};

// The grid's settings, before any file is written. Every indent's H is the grid's H plus a
// variation of up to the spread either way, so the spread must stay below H.
void check_indent_grid(const SynthArgs& a) {
  refuse_bad_setting(a.curve.check(), kIndentSynthOptionOfField);
  if (!(std::abs(a.hardness_spread_GPa) < a.curve.hardness_GPa))
    throw CLI::ValidationError("--hardness-spread-GPa", "must be smaller in magnitude than --hardness-GPa (" +
                                                            number_text(a.curve.hardness_GPa, 6) +
                                                            " GPa), or some indents' H would be <= 0, got " +
                                                            number_text(a.hardness_spread_GPa, 6));
}

}  // namespace

void add_synth_creep_command(CLI::App& synth, CommandContext& ctx) {
  auto a = std::make_shared<SynthArgs>();
  a->curve.inv_mu0_nm_per_s = 0.05;
  a->curve.drift_nm_per_s = 0.01;
  a->curve.depth_noise_nm = 0.1;
  a->curve.load_noise_mN = 0.005;
  auto* cmd = synth.add_subcommand("creep", "Creep tests (load, 120 s hold, unload) with known Eq. 1 parameters");
  add_common_options(cmd, *a);
  // At most 10,000: --count 100000000 wrote 15,717 files (676 MB) in a minute and went on.
  cmd->add_option("--count", a->count, "Number of curves (repeats, seeds seed..seed+count-1), 1 to 10000")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--h-nm", a->h_nm, "Kelvin amplitudes h_i in nm (>= 0)")->delimiter(',')->capture_default_str();
  cmd->add_option("--tau-s", a->tau_s, "Kelvin retardation times tau_i in s (> 0)")->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--inv-mu0-nm-per-s", a->curve.inv_mu0_nm_per_s, "Dashpot rate 1/mu0 in nm/s (>= 0)")
      ->capture_default_str();
  cmd->callback([a, &ctx]() {
    if (a->h_nm.size() != a->tau_s.size()) throw CLI::ValidationError("--h-nm and --tau-s need as many values");
    namespace fs = std::filesystem;
    const fs::path out(a->out_dir);
    IndentSynthOptions o = a->curve;
    o.creep_units.clear();
    for (std::size_t k = 0; k < a->h_nm.size(); ++k) o.creep_units.push_back({a->h_nm[k], 0, a->tau_s[k], 0});
    refuse_bad_setting(o.check(), kIndentSynthOptionOfField);  // before any file is written
    OutputRecord record(out, "synth creep");
    nlohmann::json files = nlohmann::json::array();
    for (int i = 0; i < a->count; ++i) {
      o.seed = a->seed + static_cast<std::uint64_t>(i);
      char name[64];
      std::snprintf(name, sizeof name, "creep_%02d%s", i + 1, extension(a->format).c_str());
      write_file_atomic(out / name, serialise(synth_indent_curve(o, name), a->format));
      files.push_back({{"file", name}, {"seed", o.seed}});
    }
    nlohmann::json units = nlohmann::json::array();
    for (const KelvinUnit& u : o.creep_units) units.push_back({{"h_nm", u.h_nm}, {"tau_s", u.tau_s}});
    const IndentSynthTruth t = indent_synth_truth(o);
    write_json_atomic(out / "truth.json",
                      {{"kelvin_units", units},
                       {"inv_mu0_nm_per_s", o.inv_mu0_nm_per_s},
                       {"drift_nm_per_s", o.drift_nm_per_s},
                       {"fitted_dashpot_nm_per_s", o.inv_mu0_nm_per_s + o.drift_nm_per_s},
                       {"depth_noise_nm", o.depth_noise_nm},
                       {"hold_s", o.hold_s},
                       {"rate_Hz", o.rate_Hz},
                       {"max_load_mN", o.max_load_mN},
                       {"hardness_GPa", o.hardness_GPa},
                       {"reduced_modulus_GPa", o.reduced_modulus_GPa},
                       {"hold_start_depth_nm", t.max_depth_nm},
                       {"contact_depth_nm", t.contact_depth_nm},
                       {"files", files}});
    commit_outputs(record, std::cerr);
    std::cout << a->count << " creep curves written to " << out.string() << '\n';
    ctx.exit_code = 0;
  });
}

void add_synth_indent_command(CLI::App& synth, CommandContext& ctx) {
  auto a = std::make_shared<SynthArgs>();
  a->curve.loading_rate_mN_per_s = 5;
  a->curve.unloading_rate_mN_per_s = 5;
  a->curve.hold_s = 5;
  a->curve.rate_Hz = 20;
  a->curve.depth_noise_nm = 0.3;
  a->curve.load_noise_mN = 0.005;
  a->curve.drift_nm_per_s = 0.02;
  a->curve.popin_loads_mN = {12, 25, 38};
  auto* cmd = synth.add_subcommand("indent", "A grid of load-depth curves with known H, Er and pop-ins, and positions");
  add_common_options(cmd, *a);
  cmd->add_option("--grid", a->grid, "Indents per side of the square grid")
      ->check(kPositiveNumber)
      ->capture_default_str();
  cmd->add_option("--spacing-um", a->spacing_um, "Grid spacing in um")->check(kPositiveNumber)->capture_default_str();
  cmd->add_option("--hardness-spread-GPa", a->hardness_spread_GPa,
                  "Amplitude of the smooth hardness variation across the grid in GPa (smaller than H in magnitude)")
      ->capture_default_str();
  // Given without a value, CLI11 2.1 stores one default-made element (a pop-in at 0 mN), and with a
  // captured default string that string (the three default pop-ins): the callback makes it none.
  auto* popin_loads =
      cmd->add_option("--popin-loads-mN", a->curve.popin_loads_mN,
                      "Loads of the pop-ins in mN, each between 0 and the maximum load [default: 12,25,38]; the option "
                      "without a value: none")
          ->delimiter(',')
          ->expected(0, -1);
  cmd->add_option("--popin-nm", a->curve.popin_size_nm, "Depth burst of each pop-in in nm (>= 0)")
      ->capture_default_str();
  cmd->callback([a, popin_loads, &ctx]() {
    const auto& given = popin_loads->results();
    if (popin_loads->count() > 0 &&
        std::all_of(given.begin(), given.end(), [](const std::string& v) { return v.empty(); }))
      a->curve.popin_loads_mN.clear();
    check_indent_grid(*a);
    namespace fs = std::filesystem;
    const fs::path out(a->out_dir);
    OutputRecord record(out, "synth indent");
    std::string positions = "file,x_um,y_um\n";
    nlohmann::json indents = nlohmann::json::array();
    const double side = a->spacing_um * std::max(1, a->grid - 1);
    for (int r = 0; r < a->grid; ++r) {
      for (int c = 0; c < a->grid; ++c) {
        IndentSynthOptions o = a->curve;
        const double x = c * a->spacing_um, y = r * a->spacing_um;
        o.hardness_GPa += a->hardness_spread_GPa * std::sin(M_PI * x / side) * std::cos(M_PI * y / side);
        o.seed = a->seed + static_cast<std::uint64_t>(r * a->grid + c);
        char name[64];
        std::snprintf(name, sizeof name, "indent_r%02d_c%02d%s", r + 1, c + 1, extension(a->format).c_str());
        IndentCurve curve = synth_indent_curve(o, name);
        if (a->format == "csv") curve.x_um = x, curve.y_um = y;
        write_file_atomic(out / name, serialise(curve, a->format));
        positions += std::string(name) + "," + std::to_string(x) + "," + std::to_string(y) + "\n";
        indents.push_back({{"file", name}, {"x_um", x}, {"y_um", y}, {"hardness_GPa", o.hardness_GPa},
                           {"reduced_modulus_GPa", o.reduced_modulus_GPa}, {"seed", o.seed}});
      }
    }
    write_file_atomic(out / "positions.csv", positions);
    write_json_atomic(out / "truth.json", {{"indents", indents},
                                            {"popin_loads_mN", a->curve.popin_loads_mN},
                                            {"popin_nm", a->curve.popin_size_nm},
                                            {"max_load_mN", a->curve.max_load_mN},
                                            {"depth_noise_nm", a->curve.depth_noise_nm}});
    commit_outputs(record, std::cerr);
    std::cout << a->grid * a->grid << " indents written to " << out.string() << '\n';
    ctx.exit_code = 0;
  });
}

}  // namespace mgscope

// `mgscope synth mce -o OUTDIR`: mean-field (or Bean-Rodbell) MPMS3 files with their exact -dSm,
// or isotherms from the Arrott-Noakes equation of state with chosen critical exponents and its exact -dSm.
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include "fitting/base/error.hpp"
#include "magnetics/arrott_noakes_entropy.hpp"
#include "magnetics/mean_field_synth.hpp"
#include "pipelines/atomic_file.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/json_output.hpp"
#include "pipelines/output_record.hpp"

namespace mgscope {

void add_synth_mce_command(CLI::App& synth, CommandContext& ctx) {
  auto o = std::make_shared<McesynthOptions>();
  auto out_dir = std::make_shared<std::string>();
  auto model = std::make_shared<std::string>("mean-field");
  auto* cmd = synth.add_subcommand(
      "mce", "Mean-field (Weiss-Brillouin) ferromagnet: MPMS3 .dat isotherms + field-cooled M(T) + exact -dSm; or "
             "the Arrott-Noakes equation of state (H/M)^(1/gamma) = a (T - Tc)/T + b M^(1/beta) with chosen exponents "
             "(--beta, --gamma) and its exact -dSm");
  // Required, as by every other synth command: a default folder filled the working directory unasked.
  cmd->add_option("-o,--out", *out_dir,
                  "Output folder (isotherms.dat, fc.dat, exact_dSm.csv, truth.json)" + std::string(kRecordedOutHelp))
      ->required();
  cmd->add_option("--model", *model,
                  "Equation of state: mean-field (Weiss-Brillouin, Bean-Rodbell with --eta) or arrott-noakes")
      ->capture_default_str()
      ->check(CLI::IsMember({"mean-field", "arrott-noakes"}));
  cmd->add_option("--tc-K", o->model.curie_K, "Curie temperature (T0 of the eta = 0 mean-field model) [K]")
      ->capture_default_str();
  cmd->add_option("--beta", o->arrott_noakes.beta, "Arrott-Noakes: exponent beta (default 3D Heisenberg)")
      ->capture_default_str();
  cmd->add_option("--gamma", o->arrott_noakes.gamma, "Arrott-Noakes: exponent gamma (default 3D Heisenberg)")
      ->capture_default_str();
  cmd->add_option("--m-at-tc", o->arrott_noakes.m_at_tc_emu_per_g, "Arrott-Noakes: M at Tc in 5 T [emu/g] (sets b)")
      ->capture_default_str();
  cmd->add_option("--ms-at-09tc", o->arrott_noakes.spontaneous_at_09tc_emu_per_g,
                  "Arrott-Noakes: spontaneous M at 0.9 Tc [emu/g] (sets a)")
      ->capture_default_str();
  cmd->add_option("--J", o->model.J, "Angular momentum quantum number J")->capture_default_str();
  cmd->add_option("--g", o->model.g, "Lande g factor")->capture_default_str();
  cmd->add_option("--molar-mass", o->model.molar_mass_g_per_mol, "Molar mass per magnetic ion [g/mol]")
      ->capture_default_str();
  cmd->add_option("--eta", o->model.eta, "Bean-Rodbell coupling (0: mean field; > 1: first order)")
      ->capture_default_str();
  cmd->add_option("--mass-mg", o->mass_mg, "Sample mass written as SAMPLE_MASS [mg]")->capture_default_str();
  cmd->add_option("--field-max-T", o->field_max_T, "Highest isotherm field [T]")->capture_default_str();
  cmd->add_option("--field-step-T", o->field_step_T, "Isotherm field step [T]")->capture_default_str();
  cmd->add_option("--fields-T", o->field_list_T,
                  "Isotherm fields [T], comma-separated, ascending from >= 0 (a real sequence: 0,0.1,...,1,1.5,...,5); "
                  "replaces --field-max-T and --field-step-T")
      ->delimiter(',');
  cmd->add_option("--t-step-K", o->t_step_K, "Isotherm temperature step [K] (Tc is a midpoint)")->capture_default_str();
  cmd->add_option("--t-below-K", o->t_below_K, "Isotherms reach down to about Tc minus this [K]")
      ->capture_default_str();
  cmd->add_option("--t-above-K", o->t_above_K, "Isotherms reach up to about Tc plus this [K]")->capture_default_str();
  cmd->add_option("--fc-field-Oe", o->fc_field_Oe, "Field of the field-cooled M(T) [Oe]")->capture_default_str();
  cmd->add_option("--fc-t-min-K", o->fc_t_min_K, "M(T) lowest temperature [K] (default 0.2 x --tc-K)");
  cmd->add_option("--fc-t-max-K", o->fc_t_max_K, "M(T) highest temperature [K] (default 1.5 x --tc-K)");
  cmd->add_option("--fc-step-K", o->fc_t_step_K, "M(T) temperature step [K] (+-0.1 K jitter)")->capture_default_str();
  cmd->add_option("--noise", o->noise_relative, "Gaussian moment noise, fraction of the saturation moment")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Noise seed")->capture_default_str();
  cmd->add_option("--demag", o->sample.demag_N,
                  "Demagnetising factor N (SI, 0..1; sphere 1/3) of a multi-domain sample: M(H=0) = 0 and "
                  "M = H / (4 pi N density) up to technical saturation, the model at H_int = H - N M above; "
                  "0: a single-domain magnet (spontaneous M at H = 0)")
      ->capture_default_str();
  cmd->add_option("--density", o->sample.density_g_cm3, "Sample density [g/cm^3], needed with --demag")
      ->capture_default_str();
  cmd->callback([o, out_dir, model, &ctx]() {
    namespace fs = std::filesystem;
    const bool an = *model == "arrott-noakes";
    if (an) o->equation_of_state = SynthEquationOfState::ArrottNoakes;
    o->arrott_noakes.curie_K = o->model.curie_K;
    try {  // a setting out of range is the caller's mistake, as in the other synth commands (exit 2)
      check_mce_synthetic(*o);
    } catch (const InputError& e) {  // printed after "mgscope synth mce: ", so not said twice
      const std::string what = e.what(), prefix = "synth mce: ";
      throw UsageError(what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what);
    }
    const McesynthFiles f = make_mce_synthetic(*o);
    const fs::path out(*out_dir);
    OutputRecord record(out, "synth mce");
    write_file_atomic(out / "isotherms.dat", f.isotherms_dat);
    write_file_atomic(out / "fc.dat", f.fc_dat);
    write_file_atomic(out / "exact_dSm.csv", f.exact_dSm_csv);
    if (!f.exact_dSm_internal_csv.empty()) write_file_atomic(out / "exact_dSm_internal.csv", f.exact_dSm_internal_csv);
    nlohmann::json t;
    const ArrottNoakesModel& a = o->arrott_noakes;
    if (an)
      t["model"] = {{"equation_of_state", "Arrott-Noakes"},
                    {"beta", a.beta},
                    {"gamma", a.gamma},
                    {"delta", 1 + a.gamma / a.beta},
                    {"Tc_K", a.curie_K},
                    {"a_Oe_per_emu_g_pow_1_over_gamma", a.a()},
                    {"b", a.b()},
                    {"m_at_tc_emu_per_g", a.m_at_tc_emu_per_g},
                    {"reference_field_Oe", a.reference_field_Oe},
                    {"spontaneous_at_09tc_emu_per_g", a.spontaneous_at_09tc_emu_per_g}};
    else
      // Unchanged since the first generator (the demo study's truth.json files are compared byte
      // for byte): J, g, T0, eta, molar mass, Ms.
      t["model"] = {{"J", o->model.J},
                    {"g", o->model.g},
                    {"T0_K", o->model.curie_K},
                    {"eta", o->model.eta},
                    {"molar_mass_g_per_mol", o->model.molar_mass_g_per_mol},
                    {"saturation_emu_per_g", saturation_emu_per_g(o->model)}};
    t["sample_mass_mg"] = o->mass_mg;
    if (o->sample.demag_N > 0)  // only then: the plain synthetic's truth.json stays byte for byte
      t["demagnetised_sample"] = {{"demag_N_SI", o->sample.demag_N},
                                  {"density_g_cm3", o->sample.density_g_cm3},
                                  {"exact_dSm_csv", "against the applied field"},
                                  {"exact_dSm_internal_csv", "against the internal field H - N M (mce --demag)"}};
    t["isotherm_T_K"] = f.isotherm_T_K;
    t["fields_T"] = f.fields_T;
    t["fc_field_Oe"] = o->fc_field_Oe;
    const double top_T = o->field_list_T.empty() ? o->field_max_T : o->field_list_T.back();
    if (an)  // the same model and sample as exact_dSm.csv, at Tc and the top field
      t["exact_minus_dSm_at_Tc_JkgK"] = {
          {"mu0H_T", top_T}, {"value", json_number(exact_minus_dSm_applied(a, o->sample, a.curie_K, top_T))}};
    else
      t["exact_minus_dSm_at_T0_JkgK"] = {
          {"mu0H_T", top_T},
          {"value", json_number(exact_minus_dSm_applied(o->model, o->sample, o->model.curie_K, top_T))}};
    write_json_atomic(out / "truth.json", t);
    commit_outputs(record, std::cerr);
    std::cout << "wrote " << (out / "isotherms.dat").string() << " (" << f.isotherm_T_K.size() << " isotherms), "
              << (out / "fc.dat").string() << ", exact_dSm.csv"
              << (f.exact_dSm_internal_csv.empty() ? "" : ", exact_dSm_internal.csv") << ", truth.json\n";
    ctx.exit_code = 0;
  });
}

}  // namespace mgscope

// mgscope: one command line for the structure-property report of a metallic-glass sample.
#include <exception>
#include <iostream>
#include <string>

#include "mgscope_version.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/heap_policy.hpp"
#include "pipelines/module_runner.hpp"
#include "pipelines/usage_errors.hpp"

int main(int argc, char** argv) {
  mgscope::die_with_parent_if_module();
  mgscope::set_up_heap_for_images();
  CLI::App app{
      "mgscope: HRTEM local order, nanoindentation, DSC and magnetocaloric analysis of metallic "
      "glasses, from the raw instrument files to one report."};
  app.set_version_flag("--version", std::string("mgscope ") + mgscope::kVersion);
  app.require_subcommand(1);
  mgscope::CommandContext ctx;

  // The subcommand table, in the order of a user's workflow (and of `mgscope --help`): set up a
  // sample, run it, compare samples; then each module; then the tools. One file per subcommand.
  mgscope::add_init_command(app, ctx);
  mgscope::add_sample_command(app, ctx);
  mgscope::add_study_command(app, ctx);
  mgscope::add_hrtem_command(app, ctx);
  mgscope::add_creep_command(app, ctx);
  mgscope::add_hardness_command(app, ctx);
  mgscope::add_dsc_command(app, ctx);
  mgscope::add_mce_command(app, ctx);
  mgscope::add_powerlaw_command(app, ctx);
  mgscope::add_info_command(app, ctx);

  // Generators of synthetic data with known truth (the ground truth of the tests and samples/).
  CLI::App* synth = app.add_subcommand("synth", "Write synthetic data with known truth");
  synth->require_subcommand(1);
  mgscope::add_synth_hrtem_command(*synth, ctx);
  mgscope::add_synth_creep_command(*synth, ctx);
  mgscope::add_synth_indent_command(*synth, ctx);
  mgscope::add_synth_dsc_command(*synth, ctx);
  mgscope::add_synth_mce_command(*synth, ctx);

  mgscope::refuse_non_finite_numbers(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return mgscope::report_parse_error(app, e, std::cout, std::cerr);
  } catch (const std::exception& e) {
    // One write: under mpirun every rank may fail alike, and std::cerr flushes after each insertion,
    // so a line written in three pieces interleaves with the other ranks' lines.
    std::cerr << "ERROR: " + std::string(e.what()) + "\n";
    return 1;
  }
  return ctx.exit_code;
}

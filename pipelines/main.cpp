// mgscope: one command line for the structure-property report of a metallic-glass sample.
#include <exception>
#include <iostream>
#include <sstream>
#include <string>

#include "fitting/base/error.hpp"
#include "mgscope_version.hpp"
#include "pipelines/commands.hpp"
#include "pipelines/heap_policy.hpp"
#include "pipelines/module_runner.hpp"
#include "pipelines/rank_exit.hpp"
#include "pipelines/usage_errors.hpp"
#include "pipelines/work_team.hpp"

namespace {

void add_synth_commands(CLI::App& app, mgscope::CommandContext& ctx) {
  // Generators of synthetic data with known truth (the ground truth of the tests and samples/).
  CLI::App* synth = app.add_subcommand(mgscope::kSynthCommand, "Write synthetic data with known truth");
  synth->require_subcommand(1);
  mgscope::add_synth_hrtem_command(*synth, ctx);
  mgscope::add_synth_creep_command(*synth, ctx);
  mgscope::add_synth_indent_command(*synth, ctx);
  mgscope::add_synth_dsc_command(*synth, ctx);
  mgscope::add_synth_mce_command(*synth, ctx);
}

// The subcommand table, in the order of a user's workflow (and of `mgscope --help`): set up a
// sample, run it, compare samples; then each module; then the tools. One file per subcommand, which
// declares it under the name given here (commands.hpp). `sample` and `study` check each manifest's
// options against the modules' subcommands (sample_run.cpp), so they need every command declared.
struct Command {
  const char* name;
  void (*add)(CLI::App&, mgscope::CommandContext&);
  bool needs_every_command = false;
};
constexpr Command kCommands[] = {
    {mgscope::kInitCommand, mgscope::add_init_command},
    {mgscope::kSampleCommand, mgscope::add_sample_command, true},
    {mgscope::kStudyCommand, mgscope::add_study_command, true},
    {mgscope::kHrtemCommand, mgscope::add_hrtem_command},
    {mgscope::kCreepCommand, mgscope::add_creep_command},
    {mgscope::kHardnessCommand, mgscope::add_hardness_command},
    {mgscope::kDscCommand, mgscope::add_dsc_command},
    {mgscope::kMceCommand, mgscope::add_mce_command},
    {mgscope::kPowerlawCommand, mgscope::add_powerlaw_command},
    {mgscope::kInfoCommand, mgscope::add_info_command},
    {mgscope::kSynthCommand, add_synth_commands},
};

// Declaring every subcommand's options costs ~1.5 ms (CLI11 makes each option's strings and
// validators), a sixth of the program's start on a 2-core VM. A run that names its subcommand first
// (`mgscope hrtem ...`) gets that one alone, and `mgscope --version` none; anything else (help, a
// mistyped command, options before the command, `sample` and `study`) gets them all, so that help
// lists every command and errors suggest among them as before.
void add_commands(CLI::App& app, mgscope::CommandContext& ctx, int argc, char** argv) {
  const std::string first = argc > 1 ? argv[1] : "";
  if (argc == 2 && first == "--version") return;
  for (const Command& c : kCommands)
    if (first == c.name && !c.needs_every_command) return c.add(app, ctx);
  for (const Command& c : kCommands) c.add(app, ctx);
}

}  // namespace

int main(int argc, char** argv) {
  mgscope::die_with_parent_if_module();
  mgscope::set_up_heap_for_images();
  CLI::App app{
      "mgscope: HRTEM local order, nanoindentation, DSC and magnetocaloric analysis of metallic "
      "glasses, from the raw instrument files to one report."};
  app.set_version_flag("--version", std::string("mgscope ") + mgscope::kVersion);
  app.require_subcommand(1);
  mgscope::CommandContext ctx;
  add_commands(app, ctx, argc, argv);
  mgscope::refuse_ill_formed_values(app);

  // Under mpirun every rank parses the same command line and reads the same settings files, so a
  // bad option, a usage error or a bad input found outside a batch is found by all alike: rank 0
  // says it, the others only exit with its code (a batch's inputs are reported by the leader
  // anyway). Any other error (a module that did not load, an output not written) may be one
  // rank's own: that rank says it too, naming itself. Either way a rank waits before exiting
  // (rank_exit.hpp): the first rank to exit ends the job, and the others' words with it.
  const int rank = mgscope::launcher_rank();
  std::ostringstream quiet;
  std::ostream& out = rank == 0 ? std::cout : quiet;
  std::ostream& err = rank == 0 ? std::cerr : quiet;
  int code = 0;
  try {
    app.parse(argc, argv);
    return ctx.exit_code;
  } catch (const CLI::ParseError& e) {
    code = mgscope::report_parse_error(app, e, out, err);
  } catch (const mgscope::UsageError& e) {
    code = mgscope::report_usage_error(app, e, err);
  } catch (const mgscope::InputError& e) {
    err << "ERROR: " + std::string(e.what()) + "\n";
    code = 1;
  } catch (const std::exception& e) {
    // One write: std::cerr flushes after each insertion, so a line written in three pieces
    // interleaves with the other ranks' lines.
    std::cerr << "ERROR: " + (rank == 0 ? std::string() : "rank " + std::to_string(rank) + ": ") + e.what() + "\n";
    return mgscope::exit_code_once_the_ranks_said_theirs(1);
  }
  return mgscope::exit_code_once_rank_0_said_it(code, quiet.str(), rank);
}

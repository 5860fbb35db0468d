// The subcommands of `mgscope`, one source file each. Each adds itself to the app; its callback
// parses nothing by hand, calls the libraries, prints, and stores its exit code.
#pragma once
#include <CLI/CLI.hpp>

namespace mgscope {

struct CommandContext {
  int exit_code = 0;  // set by the subcommand that ran: 0 ok, 1 some input failed
};

// The names of the top-level subcommands, given by these functions and used by main.cpp's table
// (which declares only the subcommand a run names first).
inline constexpr char kInitCommand[] = "init", kSampleCommand[] = "sample", kStudyCommand[] = "study",
                      kHrtemCommand[] = "hrtem", kCreepCommand[] = "creep", kHardnessCommand[] = "hardness",
                      kDscCommand[] = "dsc", kMceCommand[] = "mce", kPowerlawCommand[] = "powerlaw",
                      kInfoCommand[] = "info", kSynthCommand[] = "synth";

// The table of subcommands lives in main.cpp; each line there calls one of these.
void add_hrtem_command(CLI::App& app, CommandContext& ctx);
void add_dsc_command(CLI::App& app, CommandContext& ctx);
void add_info_command(CLI::App& app, CommandContext& ctx);
void add_init_command(CLI::App& app, CommandContext& ctx);
void add_sample_command(CLI::App& app, CommandContext& ctx);
void add_study_command(CLI::App& app, CommandContext& ctx);

// Generators, added under `mgscope synth`.
void add_synth_hrtem_command(CLI::App& synth, CommandContext& ctx);
void add_synth_dsc_command(CLI::App& synth, CommandContext& ctx);
void add_mce_command(CLI::App& app, CommandContext& ctx);
void add_powerlaw_command(CLI::App& app, CommandContext& ctx);
void add_creep_command(CLI::App& app, CommandContext& ctx);
void add_hardness_command(CLI::App& app, CommandContext& ctx);

// Generators, added under `mgscope synth`.
void add_synth_mce_command(CLI::App& synth, CommandContext& ctx);
void add_synth_creep_command(CLI::App& synth, CommandContext& ctx);
void add_synth_indent_command(CLI::App& synth, CommandContext& ctx);

}  // namespace mgscope

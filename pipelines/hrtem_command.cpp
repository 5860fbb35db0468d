// `mgscope hrtem IMAGE... -o OUTDIR`: the HRTEM local-order pipeline (being built).
#include "pipelines/commands.hpp"

namespace mgscope {

void add_hrtem_command(CLI::App& app, CommandContext& ctx) {
  auto* cmd = app.add_subcommand("hrtem", "Classify 1.985 nm boxes of HRTEM images");
  cmd->callback([&ctx]() { ctx.exit_code = 1; });
}

}  // namespace mgscope

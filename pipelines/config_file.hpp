// Options from a TOML file (`--config FILE`): every key is a long option name of the subcommand
// (`box = "1.985nm"`, `alpha = 0.005`, `gallery = true`). Options given on the command line win.
#pragma once
#include <string>

#include <CLI/CLI.hpp>

namespace mgscope {

// Adds `--config FILE` to `cmd`; its values are applied when the subcommand has been parsed and
// before its callback runs. Unknown keys and wrong types are errors naming the file and the key.
void add_config_option(CLI::App& cmd);

// Applies the TOML file at `path` to `cmd` (called by the option above; exposed for tests).
void apply_toml_config(CLI::App& cmd, const std::string& path);

}  // namespace mgscope

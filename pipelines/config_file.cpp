// CLI11 2.1's own config files do not reach subcommand options, so TOML is read here with
// toml++ and fed through each option's own parser (units, checks and all).
#include "pipelines/config_file.hpp"

#include <fstream>
#include <memory>
#include <sstream>
#include <toml++/toml.h>

#include "fitting/base/error.hpp"
#include "fitting/base/input_file.hpp"

namespace mgscope {

std::string toml_scalar_text(const toml::node& node, const std::string& path, const std::string& key) {
  if (auto s = node.value<std::string>()) return *s;
  // is_boolean first: toml++'s value<bool>() also converts integers (5 would become "true").
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
  if (auto d = node.value<double>()) {
    std::ostringstream o;
    o.precision(17);
    o << *d;
    return o.str();
  }
  fail_input(path, "key '" + key + "': only strings, numbers, booleans and arrays of them are options");
}

toml::table parse_toml_file(const std::string& path) {
  // Manifests and option files are a few lines: a special file or a huge one is a mistake.
  if (require_regular_file(path) > kMaxTextFileBytes) fail_input(path, "is too large for a TOML settings file");
  if (!std::ifstream(path)) fail_input(path, "cannot be opened (missing, or not readable)");
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream m;
    m << "line " << e.source().begin.line << ": " << e.description();
    fail_input(path, m.str());
  }
}

void apply_toml_config(CLI::App& cmd, const std::string& path) {
  const toml::table table = parse_toml_file(path);
  for (const auto& [key_view, node] : table) {
    const std::string key(key_view.str());
    CLI::Option* opt = nullptr;
    try {
      opt = cmd.get_option("--" + key);
    } catch (const CLI::OptionNotFound&) {
      fail_input(path, "unknown option '" + key + "' for `" + cmd.get_name() + "` (see --help)");
    }
    if (key == "config") fail_input(path, "a config file cannot name another one");
    if (opt->count() > 0) continue;  // the command line wins
    try {
      if (const toml::array* arr = node.as_array()) {
        for (const toml::node& item : *arr) opt->add_result(toml_scalar_text(item, path, key));
      } else if (opt->get_type_size() == 0) {  // a flag
        if (node.value<bool>().value_or(false)) opt->add_result("true");
      } else {
        opt->add_result(toml_scalar_text(node, path, key));
      }
      opt->run_callback();
    } catch (const CLI::Error& e) {
      fail_input(path, "key '" + key + "': " + e.what());
    }
  }
}

void add_config_option(CLI::App& cmd) {
  auto* config = cmd.add_option("--config", "Read options from a TOML file; keys are long option names "
                                            "(command-line options win)");
  config->check(CLI::ExistingFile);
  // CLI11 checks required options before the hook below runs, so `out = "..."` in the file met
  // "--out is required": the output folder is made optional for CLI11 and required after the file.
  auto out_required = std::make_shared<bool>(false);
  cmd.preparse_callback([&cmd, out_required](std::size_t) {
    CLI::Option* out = cmd.get_option_no_throw("--out");
    if (!out || !out->get_required()) return;
    *out_required = true;
    out->required(false);
    out->description(out->get_description() + " (required: here or as `out` in the --config file)");
  });
  // CLI11 runs parse_complete_callback after this subcommand's arguments are read and before its
  // callback, so the file fills only what the command line left unset.
  cmd.parse_complete_callback([&cmd, config, out_required]() {
    if (config->count() > 0) apply_toml_config(cmd, config->as<std::string>());
    // Words left over are reported first (a mistyped option, CLI11's ExtrasError after this hook):
    // "--out is required" hid them.
    if (*out_required && cmd.get_option("--out")->count() == 0 && cmd.remaining().empty())
      throw CLI::RequiredError("--out (or `out` in the --config file)");
  });
}

}  // namespace mgscope

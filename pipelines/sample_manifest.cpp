// Reads sample.toml with toml++; every error names the manifest and the key.
#include "pipelines/sample_manifest.hpp"

#include <glob.h>

#include <algorithm>
#include <cmath>

#include <toml++/toml.h>

#include "fitting/base/error.hpp"
#include "pipelines/config_file.hpp"
#include "pipelines/measurement_table.hpp"

namespace mgscope {

namespace fs = std::filesystem;

const std::vector<ModuleSpec>& report_modules() {
  static const std::vector<ModuleSpec> modules = {
      {"hrtem", true, {"mask", "reference", "threshold-from"}},
      {"creep", true, {}},
      {"hardness", true, {"positions"}},
      {"dsc", true, {"reference", "treatment-csv"}},
      {"mce", false, {"mt", "mh"}, {"mt", "mh"}},
  };
  return modules;
}

const ModuleSpec* find_module(const std::string& name) {
  for (const ModuleSpec& m : report_modules())
    if (name == m.name) return &m;
  return nullptr;
}

namespace {

bool has_glob_chars(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// One manifest path (relative to the manifest's folder, glob allowed) -> sorted existing files.
// A pattern that matches nothing, or a plain path that does not exist, is returned in `missing`
// (with the path in `missing_path`), not among the files: the module runs on the files that exist.
std::vector<std::string> expand(const fs::path& base, const std::string& pattern, std::string& missing,
                                std::string& missing_path) {
  const fs::path full = (base / pattern).lexically_normal();
  if (!has_glob_chars(pattern)) {
    if (fs::exists(full)) return {full.string()};
    missing = full.string() + " does not exist";
    missing_path = full.string();
    return {};
  }
  glob_t g{};
  std::vector<std::string> out;
  if (glob(full.c_str(), 0, nullptr, &g) == 0)
    for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  globfree(&g);
  std::sort(out.begin(), out.end());
  if (out.empty()) {
    missing = "'" + pattern + "' matches no file (in " + base.string() + ")";
    missing_path = full.string();
  }
  return out;
}

std::vector<std::string> string_list(const toml::node& node, const std::string& path, const std::string& key) {
  std::vector<std::string> out;
  if (auto s = node.value<std::string>()) return {*s};
  const toml::array* arr = node.as_array();
  if (!arr) fail_input(path, "key '" + key + "': expected a string or an array of strings");
  for (const toml::node& item : *arr) {
    auto s = item.value<std::string>();
    if (!s) fail_input(path, "key '" + key + "': expected an array of strings");
    out.push_back(*s);
  }
  return out;
}

// Options of the subcommands that a manifest must not set, and why: each would change what the
// module analyses or where it writes while the report still said "ok" (`help = true` printed the
// help and was "ok" with no outputs; `shard = "1/2"` was "ok" on half the images).
const char* refused_option_reason(const std::string& opt) {
  static const std::vector<std::pair<const char*, const char*>> refused = {
      {"out", "set by `mgscope sample` (the module's folder under OUTDIR)"},
      {"outdir", "set by `mgscope sample` (the module's folder under OUTDIR)"},
      {"o", "set by `mgscope sample` (the module's folder under OUTDIR)"},
      {"config", "set by `mgscope sample`: give the options in this table instead"},
      {"help", "it prints the command's help instead of analysing anything (the module would be \"ok\" with no "
               "outputs)"},
      {"shard", "it analyses a share of the images only (the module would be \"ok\" on that share); "
                "`mgscope sample` analyses them all in one run (spread them over processes with mpirun)"},
      {"gather", "it collects the outputs of earlier --shard runs instead of analysing the images"},
      {"save-threshold", "it writes a file outside the sample's output folder that the stamps and the report do "
                         "not track; save a calibration with `mgscope hrtem --save-threshold` and give it here "
                         "as threshold-from"},
  };
  for (const auto& [key, why] : refused)
    if (opt == key) return why;
  return nullptr;
}

}  // namespace

// Whether `keys` (a ModuleSpec's option list) holds `key`.
static bool names(const std::vector<const char*>& keys, const std::string& key) {
  return std::any_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; });
}

Measurement read_measurement(const ModuleSpec& spec, const toml::table& table, const fs::path& base,
                             const std::string& path) {
  Measurement m;
  m.module = spec.name;
  const std::string prefix = std::string(spec.name) + ".";
  auto note_missing = [&](const std::string& what) {
    if (m.error.empty() && !what.empty()) m.error = what;
  };
  std::size_t input_files = 0;  // of the input options' patterns, those that matched
  auto note_missing_input = [&](const std::string& key, const std::string& what, const std::string& where) {
    if (what.empty()) return;
    m.missing_inputs += (m.missing_inputs.empty() ? "" : "; ") + what;
    m.missing.push_back({key, where, what});
  };
  for (const auto& [key_view, node] : table) {
    const std::string key(key_view.str());
    if (key == "files") {
      if (!spec.positional_files)
        fail_input(path, "key '" + prefix + "files': `" + std::string(spec.name) +
                             "` takes its files through options (" + spec.path_options[0] + ", ...)");
      for (const std::string& pattern : string_list(node, path, prefix + key)) {
        std::string missing, missing_path;
        for (const std::string& f : expand(base, pattern, missing, missing_path)) {
          m.positional.push_back(f);
          m.files.push_back(f);
        }
        note_missing_input(key, missing, missing_path);
      }
    } else if (key == "options") {
      const toml::table* opts = node.as_table();
      if (!opts) fail_input(path, "key '" + prefix + "options': expected a table, e.g. options = { box = \"2nm\" }");
      for (const auto& [opt_view, value] : *opts) {
        const std::string opt(opt_view.str());
        const std::string where = prefix + "options." + opt;
        if (const char* why = refused_option_reason(opt))
          fail_input(path, "key '" + where + "': not allowed in a manifest: " + why);
        const bool is_path = names(spec.path_options, opt);
        std::vector<const toml::node*> items;
        if (const toml::array* arr = value.as_array()) {
          for (const toml::node& item : *arr) items.push_back(&item);
        } else {
          items.push_back(&value);
        }
        nlohmann::json written = nlohmann::json::array();
        for (const toml::node* item : items) {
          if (item->is_boolean()) {  // a flag (toml++'s value<bool> would also take integers)
            const bool flag = *item->value<bool>();
            if (flag) m.option_args.push_back("--" + opt);
            written.push_back(flag);
            continue;
          }
          const std::string text = toml_scalar_text(*item, path, where);
          written.push_back(text);
          if (!is_path) {
            m.option_args.push_back("--" + opt);
            m.option_args.push_back(text);
            continue;
          }
          std::string missing, missing_path;
          for (const std::string& f : expand(base, text, missing, missing_path)) {
            m.option_args.push_back("--" + opt);
            m.option_args.push_back(f);
            m.files.push_back(f);
          }
          if (names(spec.input_options, opt)) {
            note_missing_input(opt, missing, missing_path);
            if (missing.empty()) ++input_files;
          } else {
            note_missing(missing);
          }
        }
        m.options[opt] = value.is_array() ? written : written.at(0);
      }
    } else {
      fail_input(path, "key '" + prefix + key + "': unknown (a measurement table holds files and options)");
    }
  }
  // Nothing to measure on: the module is not run, and says which files are missing.
  if (!m.missing_inputs.empty() && m.positional.empty() && input_files == 0) {
    if (m.error.empty()) m.error = m.missing_inputs;
    m.missing_inputs.clear();
    m.missing.clear();
  }
  if (m.files.empty() && m.error.empty())
    fail_input(path, "table [" + std::string(spec.name) + "]: no input files (give files = [...]" +
                         (spec.positional_files ? std::string() : " through its path options") + ")");
  return m;
}

SampleManifest read_sample_manifest(const fs::path& manifest) {
  const std::string path = manifest.string();
  const toml::table table = parse_toml_file(path);
  SampleManifest s;
  s.path = manifest;
  const fs::path base = fs::absolute(manifest).parent_path();
  for (const auto& [key_view, node] : table) {
    const std::string key(key_view.str());
    if (key == "name" || key == "composition") {
      auto v = node.value<std::string>();
      if (!v) fail_input(path, "key '" + key + "': expected a string");
      (key == "name" ? s.name : s.composition) = *v;
    } else if (key == "treatment") {
      const toml::table* t = node.as_table();
      if (!t) fail_input(path, "key 'treatment': expected a table, e.g. [treatment] ctc_cycles = 20");
      for (const auto& [k, v] : *t) {
        auto d = v.value<double>();
        if (!d || v.is_boolean() || v.is_string())
          fail_input(path, "key 'treatment." + std::string(k.str()) + "': expected a number");
        // A NaN has no place on the study's axis (it broke the sort of the study's rows).
        if (!std::isfinite(*d))
          fail_input(path, "key 'treatment." + std::string(k.str()) + "': expected a finite number, not " +
                               (std::isnan(*d) ? "nan" : *d > 0 ? "inf" : "-inf") +
                               " (leave the key out when the sample has no value)");
        s.treatment[std::string(k.str())] = *d;
      }
    } else if (!find_module(key)) {
      fail_input(path, "key '" + key + "': unknown (expected name, composition, treatment, or one of the "
                       "measurements hrtem, creep, hardness, dsc, mce)");
    } else if (!node.is_table()) {
      fail_input(path, "key '" + key + "': expected a table [" + key + "]");
    }
  }
  if (s.name.empty()) fail_input(path, "key 'name': missing (the sample's name)");
  for (const ModuleSpec& spec : report_modules())
    if (const toml::table* t = table[spec.name].as_table())
      s.measurements.push_back(read_measurement(spec, *t, base, path));
  return s;
}

std::vector<std::string> module_arguments(const Measurement& m, const fs::path& out_dir) {
  std::vector<std::string> args{m.module};
  args.insert(args.end(), m.positional.begin(), m.positional.end());
  args.insert(args.end(), m.option_args.begin(), m.option_args.end());
  args.push_back("-o");
  args.push_back(out_dir.string());
  return args;
}

}  // namespace mgscope

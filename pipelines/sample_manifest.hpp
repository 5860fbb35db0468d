// A sample manifest (sample.toml): the sample, its treatment and one table per measurement, each
// turned into the argument list of the mgscope subcommand that analyses it.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "fitting/base/json.hpp"

namespace mgscope {

// What `sample` knows about each analysis subcommand: how its inputs are passed and which of
// its options name files (resolved relative to the manifest, globs allowed).
struct ModuleSpec {
  const char* name;                     // subcommand and manifest table, e.g. "hrtem"
  bool positional_files;                // `files = [...]` become positional arguments
  std::vector<const char*> path_options;  // option keys whose values are paths
  // Of those, the measurements themselves (mce's M(T) and M(H) files) rather than settings of the
  // analysis (a mask, a reference): the module runs without the missing ones, as with `files`.
  std::vector<const char*> input_options = {};
};

// The modules in report order (HRTEM, creep, hardness, DSC, MCE).
const std::vector<ModuleSpec>& report_modules();
const ModuleSpec* find_module(const std::string& name);

struct Measurement {
  std::string module;
  std::vector<std::string> positional;   // `files = [...]`, resolved and sorted
  std::vector<std::string> files;        // every input, path options included (for stamps, provenance)
  std::vector<std::string> option_args;  // e.g. {"--box", "1.985nm", "--gallery"}
  nlohmann::json options = nlohmann::json::object();  // as written in the manifest (provenance)
  std::string error;                     // a setting's file missing: the module is not run
  // A measurement file missing or a glob that matched nothing among `files` or the input options:
  // the module runs on the files that exist (a missing M(H) glob must not cost the M(T) file's
  // Tc) and is then reported failed with this. When none exists, it is the `error`.
  std::string missing_inputs;
  // The same, one per missing path or pattern: the key it was given under ("files", "mt", "mh"),
  // the path (a pattern's, resolved) and the message.
  struct Missing {
    std::string key, path, message;
  };
  std::vector<Missing> missing;
};

struct SampleManifest {
  std::filesystem::path path;
  std::string name;
  std::string composition;
  std::map<std::string, double> treatment;  // e.g. ctc_cycles -> 20
  std::vector<Measurement> measurements;     // in report order
};

// Reads and validates a manifest; errors (InputError) name the manifest and the key. A missing
// input file is not an error here: it is recorded in that measurement's `error`, so the other
// measurements still run.
SampleManifest read_sample_manifest(const std::filesystem::path& path);

// The argument list after the program name: `<module> <files> <options> -o <out_dir>`.
std::vector<std::string> module_arguments(const Measurement& m, const std::filesystem::path& out_dir);

}  // namespace mgscope

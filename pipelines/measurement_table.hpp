// Reading one measurement table of a TOML file (a sample manifest's module tables, study.toml's
// [powerlaw]). Apart from sample_manifest.hpp so that the files that only use manifests do not
// parse toml++ (3 s of compile per file).
#pragma once
#include <filesystem>
#include <string>

#include <toml++/toml.h>
#include "pipelines/sample_manifest.hpp"

namespace mgscope {

// One measurement table ({files, options}) of a manifest at `path` whose folder is `base`.
Measurement read_measurement(const ModuleSpec& spec, const toml::table& table, const std::filesystem::path& base,
                             const std::string& path);

}  // namespace mgscope

// libFuzzer target for the TOML sample manifests (sample.toml): any bytes give a manifest or an
// InputError naming the key. Globs resolve inside a private empty folder.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "fitting/base/error.hpp"
#include "pipelines/sample_manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path dir = [] {
    const auto d = std::filesystem::temp_directory_path() / ("mgscope_fuzz_toml_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  const auto path = dir / "sample.toml";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    const mgscope::SampleManifest m = mgscope::read_sample_manifest(path);
    for (const auto& meas : m.measurements) mgscope::module_arguments(meas, dir / "out");
  } catch (const mgscope::InputError&) {
  }
  return 0;
}

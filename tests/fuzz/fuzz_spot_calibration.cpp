// libFuzzer target for the spot calibration files of --threshold-from and
// mgscope.read_spot_calibration (JSON): any bytes give a calibration that the settings check
// accepts or refuses, or an InputError naming the file and the key.
#include <cstddef>
#include <cstdint>

#include "fitting/base/error.hpp"
#include "pipelines/spot_calibration_file.hpp"
#include "tests/fuzz/fuzz_temp_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = mgscope::fuzz::write_temp(data, size, ".json");
  try {
    const mgscope::SavedCalibration c = mgscope::read_spot_calibration(path);
    mgscope::check_calibration_settings(path, c, mgscope::HrtemOptions{});
  } catch (const mgscope::InputError&) {
  }
  return 0;
}

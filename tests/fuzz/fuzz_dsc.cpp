// libFuzzer target for every DSC reader (NETZSCH, TA Universal Analysis, generic/Setaram CSV)
// through read_dsc's detection: any bytes give a run or an InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fitting/base/error.hpp"
#include "fitting/io/dsc_readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const mgscope::DscRun run =
        mgscope::read_dsc(mgscope::decode_text("fuzz.txt", std::string(reinterpret_cast<const char*>(data), size)));
    mgscope::heating_segments(run);
  } catch (const mgscope::InputError&) {
  }
  return 0;
}

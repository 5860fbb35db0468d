// libFuzzer target for the Quantum Design reader (MPMS3, MPMS-XL, PPMS VSM, bare and generic
// CSV): any bytes give a table or an InputError, never a crash or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fitting/base/error.hpp"
#include "magnetics/io/qd_reader.hpp"
#include "magnetics/mce_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const mgscope::QdData d = mgscope::parse_qd_text(
        mgscope::decode_text("fuzz.dat", std::string(reinterpret_cast<const char*>(data), size)));
    // The curves the analyses take from it: isotherm branches and M(T) set-points.
    std::vector<std::string> warnings;
    mgscope::isotherm_curves(d, 10.0, {}, &warnings);
    mgscope::mt_curves(d, 10.0);
  } catch (const mgscope::InputError&) {
  }
  return 0;
}

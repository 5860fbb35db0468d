// libFuzzer target for the indentation readers through their dispatcher: NanoTest and other
// headerless columns, TriboScan ("Number of Points"), headers found by quantity and unit, and
// NanoTest zips ("PK\3\4"). Any bytes give curves or an InputError.
#include <cstddef>
#include <cstdint>

#include "fitting/base/error.hpp"
#include "fitting/io/indent_readers.hpp"
#include "tests/fuzz/fuzz_temp_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = mgscope::fuzz::write_temp(data, size, ".indent");
  try {
    mgscope::read_indent_file(path);
  } catch (const mgscope::InputError&) {
  }
  return 0;
}

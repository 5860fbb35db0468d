// libFuzzer target for the power-law table and its row selection (a regex on every label):
// any bytes give rows or an InputError, never a crash (labels once overflowed std::regex's stack).
#include <cstddef>
#include <cstdint>

#include "fitting/base/error.hpp"
#include "fitting/power_law_table.hpp"
#include "tests/fuzz/fuzz_temp_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = mgscope::fuzz::write_temp(data, size, ".csv");
  try {
    const mgscope::PowerLawTable t = mgscope::read_power_law_table(path, mgscope::PowerLawColumns{});
    mgscope::RowSelection s;
    s.match = "Gd.*Co";
    s.exclude = {"(a|b)*c"};
    mgscope::select_rows(t, s);
  } catch (const mgscope::InputError&) {
  }
  return 0;
}

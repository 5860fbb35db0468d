// libFuzzer target for the MRC reader (headers, modes, FEI extended headers): any bytes must give an
// image or an InputError, never a crash, a sanitizer report or an allocation beyond the input's size.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "imaging/io/mrc_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const mgscope::ByteReader file("fuzz.mrc", std::vector<std::uint8_t>(data, data + size));
  // The last byte also picks the frame, so the stack paths are reached too.
  mgscope::ReadOptions options;
  options.frame = size > 0 ? data[size - 1] % 4 : 0;
  try {
    mgscope::read_mrc(file, options);
  } catch (const mgscope::InputError&) {
  }
  return 0;
}

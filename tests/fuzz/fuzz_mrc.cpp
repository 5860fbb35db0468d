// libFuzzer target for the MRC reader (headers, modes, FEI extended headers): any bytes must give an
// image or an InputError, never a crash, a sanitizer report or an allocation beyond the input's size.
#include <cstddef>
#include <cstdint>
#include <string>

#include "imaging/io/mrc_reader.hpp"
#include "tests/fuzz/fuzz_mapped_read.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The last byte also picks the frame, so the stack paths are reached too.
  mgscope::ReadOptions options;
  options.frame = size > 0 ? data[size - 1] % 4 : 0;
  mgscope::fuzz::read_both_ways(
      data, size, ".mrc", options,
      [](const mgscope::ByteReader& file, const mgscope::ReadOptions& o) { return mgscope::read_mrc(file, o); },
      [](const std::string& path, const mgscope::ReadOptions& o) { return mgscope::read_mrc(path, o); });
  return 0;
}

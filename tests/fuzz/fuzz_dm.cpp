// libFuzzer target for the DM reader (DM3/DM4 tag trees): any bytes must give an
// image or an InputError, never a crash, a sanitizer report or an allocation beyond the input's size.
#include <cstddef>
#include <cstdint>
#include <string>

#include "imaging/io/dm_reader.hpp"
#include "tests/fuzz/fuzz_mapped_read.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The last byte also picks the frame, so the stack paths are reached too.
  mgscope::ReadOptions options;
  options.frame = size > 0 ? data[size - 1] % 4 : 0;
  mgscope::fuzz::read_both_ways(
      data, size, ".dm", options,
      [](const mgscope::ByteReader& file, const mgscope::ReadOptions& o) { return mgscope::read_dm(file, o); },
      [](const std::string& path, const mgscope::ReadOptions& o) { return mgscope::read_dm(path, o); });
  return 0;
}

// libFuzzer target for the DM reader (DM3/DM4 tag trees): any bytes must give an
// image or an InputError, never a crash, a sanitizer report or an allocation beyond the input's size.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "imaging/io/dm_reader.hpp"
#include "tests/fuzz/fuzz_temp_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const mgscope::ByteReader file("fuzz.dm", std::vector<std::uint8_t>(data, data + size));
  // The last byte also picks the frame, so the stack paths are reached too.
  mgscope::ReadOptions options;
  options.frame = size > 0 ? data[size - 1] % 4 : 0;
  std::vector<std::uint8_t> read;
  bool was_read = false;
  try {
    const mgscope::LoadedImage img = mgscope::read_dm(file, options);
    read.assign(img.raw.data(), img.raw.data() + img.raw.byte_count());
    was_read = true;
  } catch (const mgscope::InputError&) {
  }
  // The same bytes read from a file with the pixels left in it where they can be
  // (ReadOptions::map_pixels): the same pixels whenever both reads succeed.
  options.map_pixels = true;
  try {
    const mgscope::LoadedImage img = mgscope::read_dm(mgscope::fuzz::write_temp(data, size, ".dm"), options);
    if (img.raw.byte_count() !=
        std::size_t(img.raw.width) * std::size_t(img.raw.height) * mgscope::pixel_type_bytes(img.raw.type))
      __builtin_trap();
    if (was_read && !std::equal(read.begin(), read.end(), img.raw.data(), img.raw.data() + img.raw.byte_count()))
      __builtin_trap();
  } catch (const mgscope::InputError&) {
  }
  return 0;
}

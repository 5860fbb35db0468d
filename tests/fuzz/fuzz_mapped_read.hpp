// The binary readers' targets read every input twice: from memory, then from a file with the
// pixels left in it where they can be (ReadOptions::map_pixels). Both must agree on the pixels.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fitting/base/error.hpp"
#include "imaging/image.hpp"
#include "imaging/io/byte_reader.hpp"
#include "tests/fuzz/fuzz_temp_file.hpp"
#include "tests/imaging/binary_test_files.hpp"

namespace mgscope::fuzz {

// An image read with map_pixels holds its declared pixels and, when the ordinary read of the same
// bytes gave an image (`read`, else nullptr), the same rows as it.
inline void expect_same_pixels(const LoadedImage& mapped, const std::vector<std::uint8_t>* read) {
  const RawImage& raw = mapped.raw;
  if (raw.byte_count() != std::size_t(raw.width) * std::size_t(raw.height) * pixel_type_bytes(raw.type))
    __builtin_trap();
  if (read && *read != test::top_down_bytes(raw)) __builtin_trap();
}

// read(ByteReader, options) and read(path, options) are the reader's two entry points.
template <class ReadMemory, class ReadPath>
void read_both_ways(const std::uint8_t* data, std::size_t size, const char* suffix, ReadOptions options,
                    ReadMemory read_memory, ReadPath read_path) {
  const ByteReader file(std::string("fuzz") + suffix, std::vector<std::uint8_t>(data, data + size));
  std::vector<std::uint8_t> read;
  bool was_read = false;
  try {
    const LoadedImage img = read_memory(file, options);
    read = test::top_down_bytes(img.raw);
    was_read = true;
  } catch (const InputError&) {
  }
  options.map_pixels = true;
  try {
    expect_same_pixels(read_path(write_temp(data, size, suffix), options), was_read ? &read : nullptr);
  } catch (const InputError&) {
  }
}

}  // namespace mgscope::fuzz

// libFuzzer target for the SER reader (headers, offset arrays) and the .emi XML scan: any bytes
// must give an image or an InputError, never a crash, a sanitizer report or an allocation
// beyond the input's size.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "imaging/io/emi_metadata.hpp"
#include "imaging/io/ser_reader.hpp"
#include "tests/fuzz/fuzz_mapped_read.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The last byte also picks the frame, so the stack paths are reached too. Read from memory, then
  // mapped where it can be (rows bottom-up): the same rows.
  mgscope::ReadOptions options;
  options.frame = size > 0 ? data[size - 1] % 4 : 0;
  mgscope::fuzz::read_both_ways(
      data, size, ".ser", options,
      [](const mgscope::ByteReader& file, const mgscope::ReadOptions& o) { return mgscope::read_ser(file, o, ""); },
      [](const std::string& path, const mgscope::ReadOptions& o) { return mgscope::read_ser(path, o); });
  const mgscope::ByteReader file("fuzz.ser", std::vector<std::uint8_t>(data, data + size));
  mgscope::read_emi_metadata(file);  // tolerant by design: must not throw at all
  return 0;
}

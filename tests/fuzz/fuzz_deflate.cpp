// libFuzzer target for our deflate encoder (imaging/deflate_runs.hpp), which writes every overlay
// and map PNG: any bytes, with a row length taken from the first two, must come back exactly through
// libdeflate's inflater, whole and as two pieces of one stream (as the PNG encoder's bands are), and
// deflate_repeated_rows must give the same stream whenever it gives one. Rows past deflate's window
// (32 KiB) are asked for too: the encoder must then ignore them.
#include <libdeflate.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "imaging/deflate_runs.hpp"

namespace {

// The inflated bytes of a complete raw deflate stream, or abort.
std::vector<std::uint8_t> inflate(const std::vector<std::uint8_t>& stream, std::size_t expected) {
  static libdeflate_decompressor* const d = libdeflate_alloc_decompressor();
  std::vector<std::uint8_t> out(expected + 1);
  std::size_t got = 0;
  if (libdeflate_deflate_decompress(d, stream.data(), stream.size(), out.data(), out.size(), &got) !=
      LIBDEFLATE_SUCCESS)
    std::abort();
  out.resize(got);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t row = (std::size_t(data[0]) << 8 | data[1]) % 40000;
  const std::vector<std::uint8_t> input(data + 2, data + size);
  const std::vector<std::uint8_t> whole = mgscope::deflate_runs(input.data(), input.size(), true, row);
  if (inflate(whole, input.size()) != input) std::abort();

  const std::size_t cut = input.size() / 3;
  std::vector<std::uint8_t> pieces = mgscope::deflate_runs(input.data(), cut, false, row);
  const std::vector<std::uint8_t> rest = mgscope::deflate_runs(input.data() + cut, input.size() - cut, true, row);
  pieces.insert(pieces.end(), rest.begin(), rest.end());
  if (inflate(pieces, input.size()) != input) std::abort();

  const auto repeated = mgscope::deflate_repeated_rows(input.data(), input.size(), row, 0.5);
  if (repeated && *repeated != whole) std::abort();
  return 0;
}

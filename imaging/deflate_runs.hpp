// A deflate encoder (RFC 1951) for 8-bit pictures: literals, runs of the byte before (distance 1,
// what zlib's Z_RLE strategy finds) and, optionally, copies of the row above, each block with its
// own dynamic Huffman code.
// On the palette indices of a micrograph's overlay that is as small as zlib's Z_RLE or libdeflate's
// level 3 (the bytes are noise: no longer matches to find) and about 3x faster, since the symbols
// are coded from a table into a 64-bit bit buffer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace mgscope {

// Deflate blocks for data[0, size). A run never reaches before `data`, so pieces of one stream can
// be made independently. `last`: the final block of the stream (BFINAL); otherwise the piece ends
// with an empty stored block, byte-aligned (as zlib's sync flush), so that the next piece can
// follow it directly. `row_bytes` (2 to 32768; else ignored): the data are rows of that many bytes,
// and a stretch equal to the row above is copied from it (distance row_bytes), which a picture
// with repeated rows (a map figure's cells, white margins) is mostly made of. The bytes depend on
// the input and `row_bytes` alone.
std::vector<std::uint8_t> deflate_runs(const std::uint8_t* data, std::size_t size, bool last,
                                       std::size_t row_bytes = 0);

// data[0, size) as stored (uncompressed) deflate blocks of up to 65,535 bytes, each with a 5-byte
// header: for bytes that no Huffman code would make much smaller (a noisy micrograph's palette
// indices). `last` as for deflate_runs; a stored block ends byte-aligned, so pieces join as they are.
std::vector<std::uint8_t> deflate_stored(const std::uint8_t* data, std::size_t size, bool last);

// How much smaller than the bytes themselves a Huffman code of their byte counts would make
// data[0, size): 1 - entropy / 8 bits, estimated from every `step`-th stretch of `stretch` bytes (the
// rows of a picture), runs of equal bytes counted as the literals they are. 0 for no bytes.
double literal_saving(const std::uint8_t* data, std::size_t size, std::size_t stretch, std::size_t step);

// The whole stream (final block included) as deflate_runs makes it with `row_bytes`, when its runs
// and copies of 32 bytes or more cover at least `min_share` of the bytes; nothing otherwise, for
// pictures whose repeats are not long runs or rows (gray pixels stored as RGB, noise), which an LZ77
// search compresses far smaller.
std::optional<std::vector<std::uint8_t>> deflate_repeated_rows(const std::uint8_t* data, std::size_t size,
                                                               std::size_t row_bytes, double min_share);

}  // namespace mgscope

// A deflate encoder (RFC 1951) for noisy 8-bit pictures: literals, and runs of the byte before
// (distance 1, what zlib's Z_RLE strategy finds), each block with its own dynamic Huffman code.
// On the palette indices of a micrograph's overlay that is as small as zlib's Z_RLE or libdeflate's
// level 3 (the bytes are noise: no longer matches to find) and about 3x faster, since the symbols
// are coded from a table into a 64-bit bit buffer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mgscope {

// Deflate blocks for data[0, size). A run never reaches before `data`, so pieces of one stream can
// be made independently. `last`: the final block of the stream (BFINAL); otherwise the piece ends
// with an empty stored block, byte-aligned (as zlib's sync flush), so that the next piece can
// follow it directly. The bytes depend on the input alone.
std::vector<std::uint8_t> deflate_runs(const std::uint8_t* data, std::size_t size, bool last);

}  // namespace mgscope

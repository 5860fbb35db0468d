// Shared by the binary readers: copying one image's pixels out of a file held in memory
// (one memcpy per row, byte swap only when the file's order differs from the host's) and
// printing numbers into metadata without losing digits.
#pragma once
#include <cstdint>
#include <string>

#include "imaging/byte_reader.hpp"
#include "imaging/image.hpp"

namespace mgscope {

Endian host_endian();

enum class RowOrder { top_down, bottom_up };

// Fills `out` with width x height pixels of `type` starting at `offset`, stored x fastest in
// `file_endian`; bottom_up files get their rows reversed so that out is top-down. Checks the
// whole block against the file size before allocating anything. `what` names the block in errors.
void copy_pixel_block(const ByteReader& file, std::uint64_t offset, int width, int height,
                      PixelType type, Endian file_endian, RowOrder order, RawImage& out,
                      const char* what);

// Bytes of a width x height x frames block, or an InputError naming the file when the declared
// sizes cannot fit in it (so a lying header never drives an allocation or an overflow).
std::uint64_t checked_block_bytes(const ByteReader& file, std::uint64_t width, std::uint64_t height,
                                  std::uint64_t frames, std::uint64_t bytes_per_pixel);

// Shortest text that reads back as the same double ("0.1", "1.0012704240403383e-11");
// whole numbers without exponent ("13500000").
std::string number_text(double v);

}  // namespace mgscope

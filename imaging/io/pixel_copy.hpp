// Shared by the binary readers: getting one image's pixels out of a file held in memory
// (a memcpy per row, or the file's buffer reused in place; byte swap only when the file's
// order differs from the host's) and printing numbers into metadata without losing digits.
#pragma once
#include <cstdint>
#include <string>

#include "imaging/io/byte_reader.hpp"
#include "imaging/image.hpp"

namespace mgscope {

Endian host_endian();

enum class RowOrder { top_down, bottom_up };

// Where one image's pixels lie in a file: width x height pixels of `type` from `offset`, x
// fastest, in `endian`; bottom_up files store the last row first.
struct PixelBlock {
  std::uint64_t offset = 0;
  int width = 0;
  int height = 0;
  PixelType type = PixelType::u8;
  Endian endian = Endian::little;
  RowOrder order = RowOrder::top_down;
};

// Fills `out` with the block, rows top-down in host byte order: one memcpy per row plus the
// byte swap when needed. Checks the whole block against the file before allocating anything.
// `what` names the block in errors.
void load_pixel_block(const ByteReader& file, const PixelBlock& block, RawImage& out, const char* what);

// The same result from a file the caller hands over: when the image is most of the file, the
// file's buffer becomes the pixel buffer (moved in place), saving an allocation and a copy of
// the image's size; otherwise it copies.
void load_pixel_block(ByteReader&& file, const PixelBlock& block, RawImage& out, const char* what);

// The block left in its file, memory-mapped (ReadOptions::map_pixels), when its bytes are the
// pixels as analysed: 8 or 16-bit integers or float32 in host byte order, rows top-down or bottom-up
// (RawImage::mapped_bottom_up). False (nothing
// done) otherwise or when the file cannot be mapped; InputError as load_pixel_block when the
// block does not fit in the file.
bool map_pixel_block(const ByteReader& file, const PixelBlock& block, RawImage& out, const char* what);
// The same for a file the caller has open as `fd` (-1: opened by `path`; MappedFile::open), after
// its own checks of the block against the file: false also when the block runs past the file.
bool map_pixel_block(const std::string& path, int fd, const PixelBlock& block, RawImage& out);

// Bytes of a width x height x frames block, or an InputError naming the file when the declared
// sizes cannot fit in it (so a lying header never drives an allocation or an overflow).
std::uint64_t checked_block_bytes(const ByteReader& file, std::uint64_t width, std::uint64_t height,
                                  std::uint64_t frames, std::uint64_t bytes_per_pixel);

// Shortest text that reads back as the same double ("0.1", "1.0012704240403383e-11");
// whole numbers without exponent ("13500000").
std::string number_text(double v);

}  // namespace mgscope

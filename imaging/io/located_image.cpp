// Loading a located block, with the conversions some formats store: DM's packed RGBA (to gray)
// and MRC's half floats (mode 12, widened to float).
#include "imaging/io/located_image.hpp"

#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

namespace mgscope {

namespace {

// IEEE 754 half to float, exact for every half value (subnormals, infinities, NaN included).
float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
  const int exponent = (h >> 10) & 0x1F;
  const std::uint32_t mantissa = h & 0x3FFu;
  float magnitude;
  if (exponent == 0) magnitude = std::ldexp(float(mantissa), -24);
  else if (exponent == 31) magnitude = mantissa ? NAN : INFINITY;
  else magnitude = std::ldexp(float(mantissa | 0x400u), exponent - 25);
  return sign ? -magnitude : magnitude;
}

// Mode 12: the halves are copied like uint16 pixels (byte order handled there), then widened.
void widen_half_floats(const ByteReader& file, const PixelBlock& block, RawImage& out, const char* what) {
  RawImage halves;
  load_pixel_block(file, block, halves, what);
  out.width = block.width;
  out.height = block.height;
  out.type = PixelType::f32;
  const std::size_t n = std::size_t(block.width) * std::size_t(block.height);
  out.bytes.resize(n * 4);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint16_t h;
    std::memcpy(&h, halves.bytes.data() + 2 * i, 2);
    const float f = half_to_float(h);
    std::memcpy(out.bytes.data() + 4 * i, &f, 4);
  }
}

// RGBA pixels become the mean of the three colour bytes; alpha (the fourth byte) is ignored,
// so the result does not depend on whether the file orders them RGBA or BGRA.
void rgba_to_gray(const ByteReader& file, const PixelBlock& block, RawImage& out) {
  const std::uint64_t n = checked_block_bytes(file, std::uint64_t(block.width), std::uint64_t(block.height), 1, 4) / 4;
  file.require(block.offset, n * 4, "RGBA pixels");
  out.width = block.width;
  out.height = block.height;
  out.type = PixelType::u8;
  out.bytes.resize(static_cast<std::size_t>(n));
  std::vector<std::uint8_t> read;  // a reader on demand holds only its head in memory
  const std::uint8_t* p = file.data() + block.offset;
  if (!file.in_memory()) {
    read.resize(std::size_t(n) * 4);
    file.copy_out(block.offset, n * 4, read.data());
    p = read.data();
  }
  for (std::size_t i = 0; i < n; ++i, p += 4)
    out.bytes[i] = static_cast<std::uint8_t>((unsigned(p[0]) + p[1] + p[2] + 1) / 3);
}

}  // namespace

LoadedImage load_located(const ByteReader& file, LocatedImage l, const char* what) {
  switch (l.stored) {
    case StoredPixels::rgba8: rgba_to_gray(file, l.block, l.image.raw); break;
    case StoredPixels::half_float: widen_half_floats(file, l.block, l.image.raw, what); break;
    case StoredPixels::native: load_pixel_block(file, l.block, l.image.raw, what); break;
  }
  return std::move(l.image);
}

LoadedImage load_located(ByteReader&& file, LocatedImage l, const char* what, bool map_pixels) {
  if (l.stored != StoredPixels::native) return load_located(static_cast<const ByteReader&>(file), std::move(l), what);
  if (!(map_pixels && map_pixel_block(file, l.block, l.image.raw, what)))
    load_pixel_block(std::move(file), l.block, l.image.raw, what);
  return std::move(l.image);
}

}  // namespace mgscope

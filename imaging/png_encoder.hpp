// 8-bit PNG files written by us over libdeflate: the PNG container is four chunks (PNG
// specification, ISO/IEC 15948), and libdeflate compresses a whole buffer at once 3-5x faster
// than zlib at the same size, which matters for the 2048 px overlays written for every image.
// The bytes depend on the pixels alone (no time stamp, no thread count). A BGR picture of at most
// 256 colours is stored with a palette (the same pixels, a third of the bytes to compress).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mgscope {

enum class PngColour { gray, bgr };  // bgr: 3 bytes per pixel in OpenCV's order, stored as RGB

// `rows` points at the top-left pixel; `stride_bytes` between rows. Lossless, except that with
// `merge_gray_share` > 0 a BGR picture of a few more than 256 colours is still stored with a
// palette when merging its least-used gray levels into the nearest kept level changes at most that
// share of its pixels, each by the fewest levels possible (usually one).
std::vector<std::uint8_t> encode_png_8bit(const std::uint8_t* rows, int width, int height,
                                          std::ptrdiff_t stride_bytes, PngColour colour,
                                          double merge_gray_share = 0);

}  // namespace mgscope

// 8-bit PNG files written by us: the PNG container is four or five chunks (PNG specification,
// ISO/IEC 15948). RGB and gray pictures go through libdeflate, which compresses a whole buffer at
// once 3-5x faster than zlib at the same size; palette pictures through our own encoder of
// literals and runs (deflate_runs.hpp), in bands (png_encoder.cpp says why).
// The bytes depend on the pixels alone (no time stamp, no thread count). A BGR picture of at most
// 256 colours is stored with a palette (the same pixels, a third of the bytes to compress).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mgscope {

enum class PngColour { gray, bgr };  // bgr: 3 bytes per pixel in OpenCV's order, stored as RGB

struct PngOptions {
  // Lossless at 0. Above, a BGR picture of a few more than 256 colours is still stored with a
  // palette when merging its least-used gray levels into the nearest kept level changes at most
  // this share of its pixels, each by the fewest levels possible (usually one).
  double merge_gray_share = 0;
  int threads = 1;  // a palette picture is compressed in bands on up to this many threads (0: all cores)
};

// `rows` points at the top-left pixel; `stride_bytes` between rows. The bytes depend on the pixels
// and `merge_gray_share`, never on `threads`.
std::vector<std::uint8_t> encode_png_8bit(const std::uint8_t* rows, int width, int height,
                                          std::ptrdiff_t stride_bytes, PngColour colour,
                                          const PngOptions& options = {});

}  // namespace mgscope

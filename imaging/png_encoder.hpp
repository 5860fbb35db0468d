// 8-bit PNG files written by us: the PNG container is four or five chunks (PNG specification,
// ISO/IEC 15948). RGB and gray pictures go through libdeflate, which compresses a whole buffer at
// once 3-5x faster than zlib at the same size; palette pictures, and RGB figures of repeated rows
// (PngOptions::repeated_rows), through our own encoder of literals, runs and copies of the row
// above (deflate_runs.hpp), palette pictures in bands (png_encoder.cpp says why).
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
  // A figure of cells drawn several pixels tall (a map): its RGB rows mostly repeat the row above, and
  // are coded as copies of it (deflate_runs.hpp), 4x faster than libdeflate's level 3 and within ~20 %
  // of its size; a picture whose long runs and copies cover under 85 % of its bytes (cells under
  // ~2 px) goes to libdeflate as any other. Palette pictures always use row copies.
  bool repeated_rows = false;
};

// `rows` points at the top-left pixel; `stride_bytes` between rows. The bytes depend on the pixels
// and `merge_gray_share`, never on `threads`.
std::vector<std::uint8_t> encode_png_8bit(const std::uint8_t* rows, int width, int height,
                                          std::ptrdiff_t stride_bytes, PngColour colour,
                                          const PngOptions& options = {});

// A picture drawn as gray levels with colours painted over some pixels (the overlay: a micrograph,
// its hatching and frames). A pixel shows colours[k - 1] (packed 0xRRGGBB) where its `paint` byte k
// is above 0, else its `gray` level. Both planes have `stride_bytes` between rows.
struct PaintedGray {
  const std::uint8_t* gray = nullptr;
  const std::uint8_t* paint = nullptr;
  int width = 0, height = 0;
  std::ptrdiff_t stride_bytes = 0;
  std::vector<std::uint32_t> colours;  // at most 255
};

// The bytes encode_png_8bit makes of the picture's BGR form, without making that form: the palette
// is chosen from the gray levels' counts and the paint's colours, and the indices looked up from the
// two planes (a third of the bytes to read, no search for colours, no 3-byte-per-pixel copy). A paint
// byte with no colour is refused (std::invalid_argument).
std::vector<std::uint8_t> encode_png_painted(const PaintedGray& picture, const PngOptions& options = {});

// The picture's BGR form, rows packed (width x 3 bytes).
std::vector<std::uint8_t> painted_to_bgr(const PaintedGray& picture);

}  // namespace mgscope

// What the readers of exported pictures (PNG, JPEG) share: opening one, and gray from colour (the
// micrograph is gray, and colour in it can only be drawn over it: a scale bar, a label).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace mgscope {

// Opens `path` for reading (rb), a picture of one image: InputError naming the file for a frame
// other than 0 (`kind`: "a PNG") and for a file that cannot be opened. `bytes` gets its size.
std::FILE* open_picture(const std::string& path, int frame, const char* kind, std::uint64_t& bytes);

// One pixel of red, green and blue to gray: their rounded mean where they agree within `tolerance`
// (0 for lossless PNG; a JPEG's chroma subsampling and noise tint gray pixels a little), else the
// largest value, white, counted in `coloured`: an annotation drawn in colour then reads as a
// saturated one, which the specimen mask leaves out as it does a burned-in scale bar.
template <class T>
T gray_of(T r, T g, T b, int tolerance, std::uint64_t& coloured) {
  const int lo = std::min({int(r), int(g), int(b)}), hi = std::max({int(r), int(g), int(b)});
  if (hi - lo <= tolerance) return T((std::uint32_t(r) + g + b + 1) / 3);
  ++coloured;
  return T(~T(0));
}

// Colour in at most this share of a picture's pixels is taken for annotations drawn over a gray
// image (also for RGB TIFF pages, tiff_reader.cpp).
constexpr double kMaxAnnotationColourShare = 0.01;

// The warning that `coloured` pixels were read as annotations (saturated white).
std::string colour_annotation_warning(std::uint64_t coloured);

// After a picture's pixels: refuses it (InputError naming `path`) when more than 1 % of its
// `pixels` were coloured (a false-colour rendering, whose intensities are not the micrograph's),
// else adds the warning that counts them to `warnings`.
void check_colour(const std::string& path, std::uint64_t coloured, std::uint64_t pixels,
                  std::vector<std::string>& warnings);

}  // namespace mgscope

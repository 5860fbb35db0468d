// Drawing helpers shared by the overlay, the gallery and the map figures (OpenCV, BGR colours,
// Hershey fonts). Internal to mgscope_imaging: only its .cpp files include this.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "fitting/base/select.hpp"
#include "imaging/png_encoder.hpp"

namespace mgscope {

const cv::Scalar kDrawRed(0, 0, 255), kDrawYellow(0, 255, 255), kDrawWhite(255, 255, 255), kDrawBlack(0, 0, 0);

// A micrograph's picture fills all 256 grays and its drawing adds a few colours: at most this
// share of its pixels may move by a gray level so that it fits a palette (PngOptions).
constexpr double kPictureGrayMergeShare = 0.001;

// 8-bit view of `v` (w x h floats, rows `stride` apart) stretched between two quantiles.
cv::Mat stretch_to_8bit(const float* v, int w, int h, std::ptrdiff_t stride, double lo_q = 0.005, double hi_q = 0.995);

// The levels stretch_to_8bit uses: quantiles `lo_q`, `hi_q` of at most ~1M pixels on a regular
// lattice (a full copy of a 4k image would cost 64 MB for no visible difference), pixel (x, y) read
// as at(x, y). A pixel v maps to saturate_cast<uint8_t>((v - lo) * scale). When at() returns an
// integer of at most 16 bits, the quantiles are found by counting the values: the same values as
// selecting them among the samples, 0.18 against 1.17 ms for a 2048^2 uint16 image.
struct StretchLevels {
  float lo = 0, scale = 0;
};
template <class At>
StretchLevels stretch_levels(const At& at, int w, int h, double lo_q, double hi_q) {
  using Value = std::decay_t<decltype(at(0, 0))>;
  const long total = long(w) * long(h);
  const int step = std::max(1, int(std::ceil(std::sqrt(double(total) / 1.0e6))));
  const std::size_t count = std::size_t((w + step - 1) / step) * std::size_t((h + step - 1) / step);
  const std::size_t lo_i = std::size_t(lo_q * double(count - 1));
  const std::size_t hi_i = std::size_t(hi_q * double(count - 1));
  float lo = 0, hi = 0;
  if constexpr (std::is_integral_v<Value> && sizeof(Value) <= 2) {
    constexpr long kLowest = std::numeric_limits<Value>::lowest();
    std::vector<std::uint32_t> counts(std::size_t(1) << (8 * sizeof(Value)), 0);
    for (int y = 0; y < h; y += step)
      for (int x = 0; x < w; x += step) ++counts[std::size_t(long(at(x, y)) - kLowest)];
    auto kth_value = [&](std::size_t rank) {  // the rank-th smallest sample (from 0), as kth_smallest
      std::size_t up_to = 0;
      std::size_t k = 0;
      for (; k + 1 < counts.size(); ++k)
        if ((up_to += counts[k]) > rank) break;
      return float(long(k) + kLowest);
    };
    lo = kth_value(lo_i);
    hi = kth_value(hi_i);
  } else {
    std::vector<float> sample;
    sample.reserve(count);
    for (int y = 0; y < h; y += step)
      for (int x = 0; x < w; x += step) sample.push_back(float(at(x, y)));
    lo = kth_smallest(sample.data(), sample.size(), lo_i);
    hi = kth_smallest(sample.data(), sample.size(), hi_i);
  }
  return {lo, hi > lo ? 255.f / (hi - lo) : 0.f};
}

// 8-bit gray or BGR (png_encoder.hpp).
std::vector<std::uint8_t> encode_png(const cv::Mat& m, const PngOptions& options = {});

// 1, 2 or 5 times a power of ten, close to a fifth of `width_nm`.
double nice_length_nm(double width_nm);

// "5 nm", "500 pm", "2 um".
std::string format_length(double nm);

// White text with a black outline, readable on any background.
void outlined_text(cv::Mat& img, const std::string& text, cv::Point at, double scale, int thickness);

// Plain text in `colour` (for text on a uniform strip).
void plain_text(cv::Mat& img, const std::string& text, cv::Point at, double scale, int thickness,
                const cv::Scalar& colour);

// The sizes of a legend's text at font scale `font`, alike on every figure with a legend (the
// overlay, a series' overview): stroke thickness, line pitch, margin and swatch side (px).
struct LegendLayout {
  int thickness = 1, step = 0, margin = 0, swatch = 0;
};
LegendLayout legend_layout(double font);

// A legend's colour swatch, a filled square of `side` px outlined in black, left of the text whose
// baseline starts at `at`.
void legend_swatch(cv::Mat& img, cv::Point at, int side, const cv::Scalar& colour);

// A scale bar of `bar_px` with its label above, bottom-left corner at `at`.
void scale_bar(cv::Mat& img, cv::Point at, int bar_px, int bar_h, const std::string& text, double font, int thickness,
               const cv::Scalar& colour);

}  // namespace mgscope

#include "imaging/drawing.hpp"

#include "imaging/png_encoder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "imaging/figure_drawing.hpp"

namespace mgscope {

void keep_opencv_on_calling_threads() {
  cv::setNumThreads(0);  // 0: "run all its functions sequentially" (OpenCV's documentation)
}

cv::Mat stretch_to_8bit(const float* v, int w, int h, std::ptrdiff_t stride, double lo_q, double hi_q) {
  const StretchLevels l = stretch_levels([&](int x, int y) { return v[y * stride + x]; }, w, h, lo_q, hi_q);
  cv::Mat out(h, w, CV_8UC1);
  for (int y = 0; y < h; ++y) {
    auto* row = out.ptr<std::uint8_t>(y);
    for (int x = 0; x < w; ++x) row[x] = cv::saturate_cast<std::uint8_t>((v[y * stride + x] - l.lo) * l.scale);
  }
  return out;
}

std::vector<std::uint8_t> encode_png(const cv::Mat& m, const PngOptions& options) {
  if (m.depth() != CV_8U || (m.channels() != 1 && m.channels() != 3))
    throw std::invalid_argument("encode_png: 8-bit gray or BGR images only");
  return encode_png_8bit(m.ptr<std::uint8_t>(0), m.cols, m.rows, std::ptrdiff_t(m.step[0]),
                         m.channels() == 1 ? PngColour::gray : PngColour::bgr, options);
}

double nice_length_nm(double width_nm) {
  const double target = width_nm / 5;
  const double p = std::pow(10.0, std::floor(std::log10(target)));
  for (double m : {5.0, 2.0, 1.0})
    if (m * p <= target) return m * p;
  return p;
}

std::string format_length(double nm) {
  char buf[32];
  if (nm >= 1000) std::snprintf(buf, sizeof buf, "%g um", nm / 1000);
  else if (nm >= 1) std::snprintf(buf, sizeof buf, "%g nm", nm);
  else std::snprintf(buf, sizeof buf, "%g pm", nm * 1000);
  return buf;
}

void outlined_text(cv::Mat& img, const std::string& text, cv::Point at, double scale, int thickness) {
  cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, kDrawBlack, thickness + 2, cv::LINE_AA);
  cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, kDrawWhite, thickness, cv::LINE_AA);
}

void plain_text(cv::Mat& img, const std::string& text, cv::Point at, double scale, int thickness,
                const cv::Scalar& colour) {
  cv::putText(img, text, at, cv::FONT_HERSHEY_SIMPLEX, scale, colour, thickness, cv::LINE_AA);
}

LegendLayout legend_layout(double font) {
  LegendLayout l;
  l.thickness = std::max(1, int(std::lround(font * 1.6)));
  l.step = int(std::lround(32 * font)) + 6;
  l.margin = std::max(10, int(std::lround(14 * font)));
  l.swatch = l.step / 2;
  return l;
}

void legend_swatch(cv::Mat& img, cv::Point at, int side, const cv::Scalar& colour) {
  const cv::Rect sq(at.x, at.y - side - 2, side, side);
  cv::rectangle(img, sq, colour, cv::FILLED);
  cv::rectangle(img, sq, kDrawBlack, 1);
}

void scale_bar(cv::Mat& img, cv::Point at, int bar_px, int bar_h, const std::string& text, double font, int thickness,
               const cv::Scalar& colour) {
  cv::rectangle(img, at + cv::Point(0, -bar_h), at + cv::Point(bar_px, 0), colour, cv::FILLED);
  plain_text(img, text, at + cv::Point(0, -bar_h - int(8 * font) - 2), font, thickness, colour);
}

}  // namespace mgscope

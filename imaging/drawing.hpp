// Drawing helpers shared by the overlay, the gallery and the map figures (OpenCV, BGR colours,
// Hershey fonts). Internal to mgscope_imaging: only its .cpp files include this.
#pragma once
#include <cstddef>
#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace mgscope {

const cv::Scalar kDrawRed(0, 0, 255), kDrawYellow(0, 255, 255), kDrawWhite(255, 255, 255), kDrawBlack(0, 0, 0);

// 8-bit view of `v` (w x h floats, rows `stride` apart) stretched between two quantiles.
cv::Mat stretch_to_8bit(const float* v, int w, int h, std::ptrdiff_t stride, double lo_q = 0.005, double hi_q = 0.995);

std::vector<std::uint8_t> encode_png(const cv::Mat& m);

// 1, 2 or 5 times a power of ten, close to a fifth of `width_nm`.
double nice_length_nm(double width_nm);

// "5 nm", "500 pm", "2 um".
std::string format_length(double nm);

// White text with a black outline, readable on any background.
void outlined_text(cv::Mat& img, const std::string& text, cv::Point at, double scale, int thickness);

// Plain text in `colour` (for text on a uniform strip).
void plain_text(cv::Mat& img, const std::string& text, cv::Point at, double scale, int thickness,
                const cv::Scalar& colour);

// A scale bar of `bar_px` with its label above, bottom-left corner at `at`.
void scale_bar(cv::Mat& img, cv::Point at, int bar_px, int bar_h, const std::string& text, double font, int thickness,
               const cv::Scalar& colour);

}  // namespace mgscope

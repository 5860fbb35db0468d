#include "imaging/frame_average.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <utility>

#include "imaging/specimen_mask.hpp"
#include "imaging/stored_image.hpp"

namespace mgscope {

BitPlane stationary_pixels(const StoredImage& frame, int threads) {
  MaskOptions options;
  options.find_vacuum = false;
  options.threads = threads;
  return find_specimen_mask(frame, 1.0, 0, options).annotation;
}

AlignedAverage::AlignedAverage(ImageF first, bool align, int threads) : sum_(std::move(first)), align_(align) {
  offsets_.emplace_back(0, 0);
  measured_.emplace_back(0, 0);
  // The drift is measured without alignment too: frames that the acquisition did not align after
  // all, averaged where they lie, stripe the average's spectrum (the 3.6 px a frame of a --sum 4
  // probe read 68-72 % of the boxes ordered against 1-14 %), and only the measurement can say so.
  // Burned-in bars and text stay put while the specimen drifts: found on the first frame, and left
  // out of every frame's comparison.
  const BitPlane stationary = stationary_pixels(sum_, threads);
  reference_.emplace(sum_, stationary);
  if (!stationary.empty())
    for (int y = 0; y < sum_.height; ++y)
      for (int x = 0; x < sum_.width; ++x)
        if (stationary.get(x, y)) burned_.push_back({x, y, sum_.at(x, y)});
}

void AlignedAverage::add(const ImageF& frame, int frame_index) {
  int sx = 0, sy = 0;
  if (reference_) {
    const FrameShift shift = reference_->shift_of(frame);
    char text[80];
    if (shift.reliable) {
      if (align_) {
        sx = int(std::lround(shift.dx_px));
        sy = int(std::lround(shift.dy_px));
      }
      measured_.emplace_back(shift.dx_px, shift.dy_px);
      const double drift = std::hypot(shift.dx_px, shift.dy_px);
      largest_drift_px_ = std::isnan(largest_drift_px_) ? drift : std::max(largest_drift_px_, drift);
      std::snprintf(text, sizeof text, "%d (%.1f, %.1f)", frame_index, shift.dx_px, shift.dy_px);
    } else {
      ++not_aligned_;
      std::snprintf(text, sizeof text, "%d not measured", frame_index);
    }
    shifts_ += (shifts_.empty() ? "" : ", ") + std::string(text);
  }
  offsets_.emplace_back(sx, sy);
  add_shifted(sum_, frame, sx, sy);
}

double AlignedAverage::largest_span_px() const {
  if (measured_.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  double span = 0;
  for (std::size_t i = 0; i < measured_.size(); ++i)
    for (std::size_t j = i + 1; j < measured_.size(); ++j)
      span = std::max(span,
                      std::hypot(measured_[i].first - measured_[j].first, measured_[i].second - measured_[j].second));
  return span;
}

ImageF AlignedAverage::finish(int frames) {
  int sx_min = 0, sx_max = 0, sy_min = 0, sy_max = 0;
  for (const auto& [sx, sy] : offsets_) {
    sx_min = std::min(sx_min, sx);
    sx_max = std::max(sx_max, sx);
    sy_min = std::min(sy_min, sy);
    sy_max = std::max(sy_max, sy);
  }
  const int full_w = sum_.width, full_h = sum_.height;
  const int x0 = -sx_min, y0 = -sy_min, w = full_w - sx_max + sx_min, h = full_h - sy_max + sy_min;
  if (2 * w < full_w || 2 * h < full_h)
    throw std::invalid_argument("the frames drift by more than half the field (" + std::to_string(sx_max - sx_min) +
                                " x " + std::to_string(sy_max - sy_min) + " px): too little of it is in every frame");
  // Cropped and scaled in place, row by row towards the front (each row's destination lies at or
  // before its source), so that no second frame-sized buffer is made.
  const float inv = 1.0f / float(frames);
  for (int y = 0; y < h; ++y) {
    const float* in = sum_.row(y0 + y) + x0;
    float* out = sum_.pixels.data() + std::size_t(y) * std::size_t(w);
    for (int x = 0; x < w; ++x) out[x] = in[x] * inv;
  }
  sum_.pixels.resize(std::size_t(w) * std::size_t(h));
  sum_.width = w;
  sum_.height = h;
  // A frame shifted by (sx, sy) carried the first frame's annotation pixel (x, y) to (x - sx, y - sy).
  for (const auto& [sx, sy] : offsets_)
    for (const Burned& b : burned_) {
      const int x = b.x - sx - x0, y = b.y - sy - y0;
      if (x >= 0 && y >= 0 && x < w && y < h) sum_.at(x, y) = b.value;
    }
  if (w != full_w || h != full_h)
    crop_ = "x " + std::to_string(x0) + " to " + std::to_string(x0 + w - 1) + ", y " + std::to_string(y0) + " to " +
            std::to_string(y0 + h - 1);
  return std::move(sum_);
}

}  // namespace mgscope

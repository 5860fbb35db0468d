#include "imaging/frame_drift.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "imaging/image_fft.hpp"
#include "imaging/parabola_vertex.hpp"

namespace mgscope {

namespace {

// A box mean of radius r along rows, then columns, of a side x side plane (at the edges the box is
// cut, and the mean is over the part inside), by running sums.
std::vector<float> box_blur(const std::vector<float>& in, int side, int r) {
  std::vector<float> out(in.size());
  std::vector<double> prefix(std::size_t(side) + 1);
  auto blur_line = [&](auto at, auto put) {  // one row or column: at(k) reads, put(k, v) writes
    prefix[0] = 0;
    for (int k = 0; k < side; ++k) prefix[std::size_t(k) + 1] = prefix[std::size_t(k)] + at(k);
    for (int k = 0; k < side; ++k) {
      const int lo = std::max(0, k - r), hi = std::min(side - 1, k + r);
      put(k, float((prefix[std::size_t(hi) + 1] - prefix[std::size_t(lo)]) / double(hi - lo + 1)));
    }
  };
  const std::size_t n = std::size_t(side);
  std::vector<float> rows(in.size());
  for (std::size_t y = 0; y < n; ++y)
    blur_line([&](int k) { return double(in[y * n + std::size_t(k)]); },
              [&](int k, float v) { rows[y * n + std::size_t(k)] = v; });
  for (std::size_t x = 0; x < n; ++x)
    blur_line([&](int k) { return double(rows[std::size_t(k) * n + x]); },
              [&](int k, float v) { out[std::size_t(k) * n + x] = v; });
  return out;
}

}  // namespace

DriftReference::DriftReference(const ImageF& reference, const BitPlane& stationary)
    : width_(reference.width), height_(reference.height),
      side_(smooth_fft_length(std::min({reference.width, reference.height, 1024}))) {
  if (side_ < 16) throw std::invalid_argument("frames under 16 px cannot be aligned");
  x0_ = (width_ - side_) / 2;
  y0_ = (height_ - side_) / 2;
  window_.resize(std::size_t(side_));
  constexpr double kPi = 3.14159265358979323846;
  for (int i = 0; i < side_; ++i) window_[std::size_t(i)] = float(0.5 - 0.5 * std::cos(2 * kPi * (i + 0.5) / side_));
  // The weight: the stationary pixels widened by the rim (where a box blur of that radius reaches),
  // then blurred over the rim: 0 on them, rising to 1 at two rims from them.
  if (!stationary.empty() && stationary.any(x0_, y0_, x0_ + side_, y0_ + side_)) {
    std::vector<float> hole(std::size_t(side_) * std::size_t(side_), 0.f);
    for (int y = 0; y < side_; ++y)
      for (int x = 0; x < side_; ++x)
        if (stationary.get(x0_ + x, y0_ + y)) hole[std::size_t(y) * std::size_t(side_) + std::size_t(x)] = 1.f;
    std::vector<float> widened = box_blur(hole, side_, kStationaryRim);
    for (float& v : widened) v = v > 0 ? 1.f : 0.f;
    weight_ = box_blur(widened, side_, kStationaryRim);
    for (float& v : weight_) v = 1.f - v;
  }
  fft_ = std::make_unique<RealFft2d>(side_, side_);
  load_crop(reference);
  fft_->forward();
  reference_.assign(fft_->spectrum(), fft_->spectrum() + std::size_t(side_) * std::size_t(fft_->columns()));
}

DriftReference::~DriftReference() = default;

void DriftReference::load_crop(const ImageF& image) const {
  float* crop = fft_->real();
  const std::size_t side = std::size_t(side_);
  // The mean of the compared pixels (weighted), so that the weighted-out ones add nothing.
  double sum = 0, total_weight = 0;
  for (int y = 0; y < side_; ++y) {
    const float* row = image.row(y0_ + y) + x0_;
    const float* w = weight_.empty() ? nullptr : weight_.data() + std::size_t(y) * side;
    for (int x = 0; x < side_; ++x) {
      sum += w ? double(w[x]) * row[x] : row[x];
      total_weight += w ? w[x] : 1.0;
    }
  }
  const double mean = total_weight > 0 ? sum / total_weight : 0;
  for (int y = 0; y < side_; ++y) {
    const float* row = image.row(y0_ + y) + x0_;
    const float* w = weight_.empty() ? nullptr : weight_.data() + std::size_t(y) * side;
    const float wy = window_[std::size_t(y)];
    float* out = crop + std::size_t(y) * side;
    for (int x = 0; x < side_; ++x)
      out[x] = float((row[x] - mean) * wy * window_[std::size_t(x)] * (w ? w[x] : 1.f));
  }
}

FrameShift DriftReference::shift_of(const ImageF& frame) const {
  if (frame.width != width_ || frame.height != height_)
    throw std::invalid_argument("a frame to align differs in size from its reference");
  load_crop(frame);
  fft_->forward();
  // The cross-power spectrum divided by the square root of its magnitude: its inverse peaks at the
  // shift. Dividing by the whole magnitude (classic phase correlation) weighs the bins where shot
  // noise dominates as much as the specimen's: on synthetic frames of one specimen, each with its
  // own shot noise, the peak then fell up to 1 px from the true shift, against 0.12 px with the
  // square root; the bare cross-correlation (0.02 px there) leans on the lowest frequencies, where
  // illumination that does not move with the specimen would hold the peak at zero.
  std::complex<float>* s = fft_->spectrum();
  const std::size_t n = reference_.size();
  // |c|^2 written out: std::abs of a complex calls hypot, which made this loop most of the cost.
  for (std::size_t i = 0; i < n; ++i) {
    const float ar = s[i].real(), ai = s[i].imag(), br = reference_[i].real(), bi = reference_[i].imag();
    const float cr = ar * br + ai * bi, ci = ai * br - ar * bi;  // s conj(reference)
    const float norm = cr * cr + ci * ci;
    const float scale = norm > 0 ? 1.0f / std::sqrt(std::sqrt(norm)) : 0.0f;
    s[i] = std::complex<float>(cr * scale, ci * scale);
  }
  s[0] = 0;  // the mean carries no shift
  fft_->inverse();
  const float* r = fft_->real();
  const std::size_t side = std::size_t(side_);
  auto at = [&](int x, int y) {  // periodic
    x = (x % side_ + side_) % side_;
    y = (y % side_ + side_) % side_;
    return double(r[std::size_t(y) * side + std::size_t(x)]);
  };
  // The peak among shifts up to a quarter of the side each way: rows -reach..reach (wrapped), and in
  // each the columns 0..reach and side-reach..side-1.
  const int reach = side_ / 4;
  int bx = 0, by = 0;
  float best = -std::numeric_limits<float>::infinity();
  for (int y = -reach; y <= reach; ++y) {
    const float* row = r + std::size_t((y + side_) % side_) * side;
    for (int x = 0; x <= reach; ++x)
      if (row[x] > best) {
        best = row[x];
        bx = x;
        by = y;
      }
    for (int x = side_ - reach; x < side_; ++x)
      if (row[x] > best) {
        best = row[x];
        bx = x - side_;
        by = y;
      }
  }
  // The surface's rms away from the peak: all of it, less the 5 x 5 values around the peak.
  double sum2 = 0;
  for (std::size_t i = 0; i < side * side; ++i) sum2 += double(r[i]) * double(r[i]);
  for (int y = by - 2; y <= by + 2; ++y)
    for (int x = bx - 2; x <= bx + 2; ++x) sum2 -= at(x, y) * at(x, y);
  const double rms = std::sqrt(std::max(0.0, sum2) / double(side * side - 25));
  FrameShift f;
  f.dx_px = bx + parabola_vertex_offset(at(bx - 1, by), best, at(bx + 1, by));
  f.dy_px = by + parabola_vertex_offset(at(bx, by - 1), best, at(bx, by + 1));
  f.peak_contrast = rms > 0 ? best / rms : 0;
  f.reliable = f.peak_contrast >= kMinDriftPeakContrast;
  return f;
}

void add_shifted(ImageF& total, const ImageF& frame, int sx, int sy) {
  const int x_lo = std::max(0, -sx), x_hi = std::min(total.width, frame.width - sx);
  const int y_lo = std::max(0, -sy), y_hi = std::min(total.height, frame.height - sy);
  for (int y = y_lo; y < y_hi; ++y) {
    float* out = total.row(y);
    const float* in = frame.row(y + sy) + sx;
    for (int x = x_lo; x < x_hi; ++x) out[x] += in[x];
  }
}

}  // namespace mgscope

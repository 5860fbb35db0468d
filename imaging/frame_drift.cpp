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

DriftCrop::DriftCrop(int frame_width, int frame_height, const BitPlane& stationary)
    : width(frame_width), height(frame_height), bin(std::min(frame_width, frame_height) >= 512 ? 2 : 1),
      side(smooth_fft_length(std::min({frame_width, frame_height, 1024}) / bin)) {
  if (side < 16) throw std::invalid_argument("frames under 16 px cannot be aligned");
  x0 = (width - side * bin) / 2;
  y0 = (height - side * bin) / 2;
  window.resize(std::size_t(side));
  constexpr double kPi = 3.14159265358979323846;
  for (int i = 0; i < side; ++i) window[std::size_t(i)] = float(0.5 - 0.5 * std::cos(2 * kPi * (i + 0.5) / side));
  // The weight: the stationary pixels (a binned pixel holding any) widened by the rim (where a box
  // blur of that radius reaches), then blurred over the rim: 0 on them, rising to 1 at two rims
  // from them.
  if (!stationary.empty() && stationary.any(x0, y0, x0 + side * bin, y0 + side * bin)) {
    std::vector<float> hole(std::size_t(side) * std::size_t(side), 0.f);
    for (int y = 0; y < side; ++y)
      for (int x = 0; x < side; ++x)
        if (stationary.any(x0 + x * bin, y0 + y * bin, x0 + (x + 1) * bin, y0 + (y + 1) * bin))
          hole[std::size_t(y) * std::size_t(side) + std::size_t(x)] = 1.f;
    const int rim = std::max(1, kStationaryRim / bin);
    std::vector<float> widened = box_blur(hole, side, rim);
    for (float& v : widened) v = v > 0 ? 1.f : 0.f;
    weight = box_blur(widened, side, rim);
    for (float& v : weight) v = 1.f - v;
  }
}

void DriftCrop::load(const StoredImage& frame, float* out) const {
  if (frame.width != width || frame.height != height)
    throw std::invalid_argument("a frame to align differs in size from its reference");
  const std::size_t n = std::size_t(side);
  if (bin == 1) {
    frame.copy_block(x0, y0, side, side, out, side);
  } else {  // a band of `bin` rows at a time, averaged into one row
    const std::size_t b = std::size_t(bin), wide = n * b;
    std::vector<float> band(wide * b);
    const float scale = 1.0f / float(bin * bin);
    for (std::size_t y = 0; y < n; ++y) {
      frame.copy_block(x0, y0 + int(y) * bin, side * bin, bin, band.data(), std::ptrdiff_t(wide));
      float* row = out + y * n;
      for (std::size_t x = 0; x < n; ++x) {
        float sum = 0;
        for (std::size_t r = 0; r < b; ++r)
          for (std::size_t c = 0; c < b; ++c) sum += band[r * wide + x * b + c];
        row[x] = sum * scale;
      }
    }
  }
  // The mean of the compared pixels (weighted), so that the weighted-out ones add nothing.
  double sum = 0, total_weight = 0;
  for (std::size_t i = 0; i < n * n; ++i) {
    const double w = weight.empty() ? 1.0 : weight[i];
    sum += w * out[i];
    total_weight += w;
  }
  const double mean = total_weight > 0 ? sum / total_weight : 0;
  for (std::size_t y = 0; y < n; ++y) {
    float* row = out + y * n;
    const float* w = weight.empty() ? nullptr : weight.data() + y * n;
    const float wy = window[y];
    for (std::size_t x = 0; x < n; ++x) row[x] = float((row[x] - mean) * wy * window[x] * (w ? w[x] : 1.f));
  }
}

namespace {

// `fft` holds a frame's crop spectrum: the shift of its content from the reference's, whose
// spectrum is `reference`, in the frame's pixels (`bin` of them a compared pixel). The spectrum is
// used up.
FrameShift correlate(RealFft2d& fft, const std::vector<std::complex<float>>& reference, int bin) {
  // The cross-power spectrum divided by the square root of its magnitude: its inverse peaks at the
  // shift. Dividing by the whole magnitude (classic phase correlation) weighs the bins where shot
  // noise dominates as much as the specimen's: on synthetic frames of one specimen, each with its
  // own shot noise, the peak then fell up to 1 px from the true shift, against 0.12 px with the
  // square root; the bare cross-correlation (0.02 px there) leans on the lowest frequencies, where
  // illumination that does not move with the specimen would hold the peak at zero.
  std::complex<float>* s = fft.spectrum();
  const std::size_t n = reference.size();
  // |c|^2 written out: std::abs of a complex calls hypot, which made this loop most of the cost.
  for (std::size_t i = 0; i < n; ++i) {
    const float ar = s[i].real(), ai = s[i].imag(), br = reference[i].real(), bi = reference[i].imag();
    const float cr = ar * br + ai * bi, ci = ai * br - ar * bi;  // s conj(reference)
    const float norm = cr * cr + ci * ci;
    const float scale = norm > 0 ? 1.0f / std::sqrt(std::sqrt(norm)) : 0.0f;
    s[i] = std::complex<float>(cr * scale, ci * scale);
  }
  s[0] = 0;  // the mean carries no shift
  fft.inverse();
  const float* r = fft.real();
  const int side_px = fft.width();
  const std::size_t side = std::size_t(side_px);
  auto at = [&](int x, int y) {  // periodic
    x = (x % side_px + side_px) % side_px;
    y = (y % side_px + side_px) % side_px;
    return double(r[std::size_t(y) * side + std::size_t(x)]);
  };
  // The peak among shifts up to a quarter of the side each way: rows -reach..reach (wrapped), and in
  // each the columns 0..reach and side-reach..side-1.
  const int reach = side_px / 4;
  int bx = 0, by = 0;
  float best = -std::numeric_limits<float>::infinity();
  for (int y = -reach; y <= reach; ++y) {
    const float* row = r + std::size_t((y + side_px) % side_px) * side;
    for (int x = 0; x <= reach; ++x)
      if (row[x] > best) {
        best = row[x];
        bx = x;
        by = y;
      }
    for (int x = side_px - reach; x < side_px; ++x)
      if (row[x] > best) {
        best = row[x];
        bx = x - side_px;
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
  f.dx_px = bin * (bx + parabola_vertex_offset(at(bx - 1, by), best, at(bx + 1, by)));
  f.dy_px = bin * (by + parabola_vertex_offset(at(bx, by - 1), best, at(bx, by + 1)));
  f.peak_contrast = rms > 0 ? best / rms : 0;
  f.reliable = f.peak_contrast >= kMinDriftPeakContrast;
  return f;
}

std::vector<std::complex<float>> spectrum_of(RealFft2d& fft) {
  return {fft.spectrum(), fft.spectrum() + std::size_t(fft.height()) * std::size_t(fft.columns())};
}

}  // namespace

DriftReference::DriftReference(const StoredImage& reference, const BitPlane& stationary)
    : crop_(reference.width, reference.height, stationary), fft_(std::make_unique<RealFft2d>(crop_.side, crop_.side)) {
  crop_.load(reference, fft_->real());
  fft_->forward();
  reference_ = spectrum_of(*fft_);
}

DriftReference::~DriftReference() = default;

FrameShift DriftReference::shift_of(const StoredImage& frame) const {
  crop_.load(frame, fft_->real());
  fft_->forward();
  return correlate(*fft_, reference_, crop_.bin);
}

CropSpectrum crop_spectrum(const StoredImage& frame, const BitPlane& stationary) {
  const DriftCrop crop(frame.width, frame.height, stationary);
  RealFft2d fft(crop.side, crop.side);
  crop.load(frame, fft.real());
  fft.forward();
  return {frame.width, frame.height, crop.bin, crop.side, spectrum_of(fft)};
}

FrameShift shift_between(const CropSpectrum& reference, const CropSpectrum& frame) {
  if (frame.width != reference.width || frame.height != reference.height || frame.side != reference.side ||
      frame.bin != reference.bin || frame.bins.size() != reference.bins.size())
    throw std::invalid_argument("frames of different sizes cannot be compared");
  RealFft2d fft(frame.side, frame.side);
  std::copy(frame.bins.begin(), frame.bins.end(), fft.spectrum());
  return correlate(fft, reference.bins, frame.bin);
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

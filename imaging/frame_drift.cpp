#include "imaging/frame_drift.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

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

// The maximum near (x0, y0) (compared px, from a first estimate) of the correlation surface's
// band-limited interpolation, smoothed: the inverse DFT of `spectrum` (r2c layout, side rows of
// side / 2 + 1) weighted by a Gaussian of kPeakSmoothing cycles per compared pixel, evaluated
// directly at non-integer places on a 5 x 5 grid of 0.025, then 0.005 px. A parabola through the three samples around
// the peak read sub-pixel drift short: on the probe's 512 px frames drifting (0.30, 0.20) px a frame, 60 links averaged
// (0.278, 0.186) px (sd 0.015), and the track fell 5 px behind over 200 frames. The unsmoothed surface's maximum was
// unbiased but noisy (40 links: (0.291, 0.197), sd 0.03: its top is shot noise at every
// frequency); smoothed at 0.15 cycles per px, (0.300, 0.200), sd 0.009 (0.25: sd 0.011; 0.06:
// 0.015). A symmetric weight leaves a symmetric peak where it is.
constexpr double kPeakSmoothing = 0.15;
std::pair<double, double> interpolated_peak(const std::vector<std::complex<float>>& spectrum, int side, double x0,
                                            double y0) {
  constexpr double kTwoPi = 6.283185307179586;
  constexpr int kGrid = 5;
  const int columns = side / 2 + 1;
  std::vector<std::complex<double>> ey(std::size_t(kGrid) * std::size_t(side));
  std::vector<std::complex<double>> rows(std::size_t(kGrid) * std::size_t(columns));
  std::vector<std::complex<double>> ex(static_cast<std::size_t>(columns));
  // The smoothing weight, separable: along a row (kx) and along a column (ky, signed).
  const auto gauss = [&](int f) {
    const double q = double(f) / side / kPeakSmoothing;
    return std::exp(-0.5 * q * q);
  };
  std::vector<double> wx(static_cast<std::size_t>(columns)), wy(static_cast<std::size_t>(side));
  for (int kx = 0; kx < columns; ++kx) wx[std::size_t(kx)] = gauss(kx);
  for (int ky = 0; ky < side; ++ky) wy[std::size_t(ky)] = gauss(ky <= side / 2 ? ky : ky - side);
  double bx = x0, by = y0;
  // Two rounds from the parabola's estimate (within a few hundredths of a pixel of the peak): steps
  // of 0.025 and 0.005 px; a grid whose best place is on its edge is moved there and evaluated
  // again (at most 4 times a round).
  for (int round = 0, moves = 0; round < 2;) {
    const double step = round == 0 ? 0.025 : 0.005;
    const double cx = bx, cy = by;
    // rows[j][kx] = sum over ky of spectrum[ky][kx] e^(2 pi i ky y_j / side), signed frequencies.
    for (int j = 0; j < kGrid; ++j) {
      const double y = cy + step * (j - kGrid / 2);
      for (int ky = 0; ky < side; ++ky) {
        const int f = ky <= side / 2 ? ky : ky - side;
        ey[std::size_t(j) * std::size_t(side) + std::size_t(ky)] = std::polar(1.0, kTwoPi * f * y / side);
      }
    }
    std::fill(rows.begin(), rows.end(), std::complex<double>(0, 0));
    for (int ky = 0; ky < side; ++ky) {
      const std::complex<float>* in = spectrum.data() + std::size_t(ky) * std::size_t(columns);
      for (int j = 0; j < kGrid; ++j) {
        const std::complex<double> e = ey[std::size_t(j) * std::size_t(side) + std::size_t(ky)] * wy[std::size_t(ky)];
        std::complex<double>* out = rows.data() + std::size_t(j) * std::size_t(columns);
        for (int kx = 0; kx < columns; ++kx) out[kx] += e * std::complex<double>(in[kx]);
      }
    }
    // The columns 1 .. side / 2 - 1 stand for their conjugate mirrors too (a real surface).
    double best = -std::numeric_limits<double>::infinity();
    for (int i = 0; i < kGrid; ++i) {
      const double x = cx + step * (i - kGrid / 2);
      for (int kx = 0; kx < columns; ++kx) ex[std::size_t(kx)] = std::polar(1.0, kTwoPi * kx * x / side);
      for (int j = 0; j < kGrid; ++j) {
        const std::complex<double>* r = rows.data() + std::size_t(j) * std::size_t(columns);
        double v = 0;
        for (int kx = 0; kx < columns; ++kx) {
          const double w = (kx == 0 || 2 * kx == side ? 1.0 : 2.0) * wx[std::size_t(kx)];
          v += w * (r[kx] * ex[std::size_t(kx)]).real();
        }
        if (v > best) {
          best = v;
          bx = x;
          by = cy + step * (j - kGrid / 2);
        }
      }
    }
    const double edge = step * (kGrid / 2) - 1e-9;
    if ((std::abs(bx - cx) > edge || std::abs(by - cy) > edge) && moves < 4) {
      ++moves;
    } else {
      ++round;
      moves = 0;
    }
  }
  return {bx, by};
}

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
  const std::vector<std::complex<float>> normalized(s, s + n);  // for the sub-pixel peak
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
  const auto [px, py] =
      interpolated_peak(normalized, side_px, bx + parabola_vertex_offset(at(bx - 1, by), best, at(bx + 1, by)),
                        by + parabola_vertex_offset(at(bx, by - 1), best, at(bx, by + 1)));
  f.dx_px = bin * px;
  f.dy_px = bin * py;
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

// Drift between frames of an in-situ series, by phase correlation (the cross-power spectrum divided
// by the square root of its magnitude, frame_drift.cpp says why). Frames averaged into one point
// (--sum) must be aligned first: specimen drift of a few pixels between frames is common, and an
// average of shifted copies is the image convolved with a comb, whose spectrum is striped; the
// stripes pass the spot test as order (measured: a stack at 12 % ordered read 68 % with --sum 4
// and a drift of 3 px right and 2 px down per frame; tests/pipelines/hrtem_series_test.cpp: 72 % for 13 %).
#pragma once
#include <complex>
#include <memory>
#include <vector>

#include "imaging/bit_plane.hpp"
#include "imaging/image.hpp"

namespace mgscope {

class RealFft2d;

struct FrameShift {
  // Where the frame's content lies relative to the reference's, in px (x right, y down): the
  // reference's pixel (x, y) is the frame's (x + dx, y + dy).
  double dx_px = 0, dy_px = 0;
  // The correlation peak over the rms of the correlation surface away from it: under 10 for frames
  // without common content, tens to a hundred for frames of one specimen.
  double peak_contrast = 0;
  bool reliable = false;  // peak_contrast at least kMinDriftPeakContrast
};

// A peak under this many rms of the surface is not taken as a shift. Measured on 1024 px synthetic
// frames: between unrelated specimens the highest peak reached 6.7-8.9 (11 pairs); between frames
// of one specimen, 119 at 400 counts per pixel, 47 at 20, 23 at 5, and 8.4 at 1 count (where the
// peak fell a pixel off).
constexpr double kMinDriftPeakContrast = 14.0;

constexpr int kStationaryRim = 8;  // px

// The reference frame's central crop (a 2, 3, 5, 7-smooth side up to 1024 px), windowed and
// transformed once; each frame of the same size is compared with it.
//
// `stationary` (the frame's size; may be empty): pixels that stay in place while the specimen
// drifts, burned-in scale bars and text. Left in, a saturated bar holds the correlation peak at
// zero shift (measured: a bar of 300 x 15 px in 1000 px frames drifting 3 px a frame read (0, 0)
// for every frame). They are weighted out of every frame's crop: weight 0 on them, rising to 1 at
// 2 kStationaryRim px from them, so that the hole's own edge is soft and does not correlate at
// zero shift in its turn.
class DriftReference {
 public:
  explicit DriftReference(const ImageF& reference, const BitPlane& stationary = BitPlane());
  ~DriftReference();
  DriftReference(const DriftReference&) = delete;
  DriftReference& operator=(const DriftReference&) = delete;

  // The frame's shift from the reference. Shifts are measured up to a quarter of the crop's side.
  FrameShift shift_of(const ImageF& frame) const;
  int crop_side_px() const { return side_; }

 private:
  void load_crop(const ImageF& image) const;  // the central crop, mean removed and windowed, into fft_
  int width_, height_, side_, x0_, y0_;
  std::vector<float> window_;  // a Hann window along one side
  std::vector<float> weight_;  // side x side: 0 on stationary pixels, soft around them; empty: all 1
  std::unique_ptr<RealFft2d> fft_;
  std::vector<std::complex<float>> reference_;  // the reference crop's spectrum
};

// Adds `frame` aligned to the reference: total(x, y) += frame(x + sx, y + sy) wherever that pixel
// exists (elsewhere total is left as it is: the caller keeps only the overlap of all frames).
void add_shifted(ImageF& total, const ImageF& frame, int sx, int sy);

}  // namespace mgscope

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
#include "imaging/stored_image.hpp"

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

// The part of a frame that is compared: its central crop (up to 1024 px), binned 2 x 2 in frames of
// 512 px or more, a Hann window, and the weight that leaves stationary pixels out.
//
// The binning: blocks of 2 x 2 pixels are averaged into one compared pixel, to a 2, 3, 5, 7-smooth
// side of up to 512. The shift's reach (a quarter of the crop's extent, 256 px) is the same, the
// transforms cost a quarter, and low-dose frames are measured better: on pairs of 1024 px
// synthetic frames of one specimen (4 pairs a dose, shifts up to 22 px) the largest error was
// 0.19 px binned against 0.74 px unbinned at 20 counts per pixel, 0.49 against 0.97 at 5, 0.74
// against 1.9 at 2; the peak's contrast 65 against 42, 32 against 20, 18 against 11. At 400 counts
// both erred by 0.06 px at most. (A frame's fringes of 0.2 nm and more are 10 px and more at the
// usual 0.02 nm/px, well above the binned crop's limit of 4 px.)
//
// `stationary` (the frame's size; may be empty): pixels that stay in place while the specimen
// drifts, burned-in scale bars and text. Left in, a saturated bar holds the correlation peak at
// zero shift (measured: a bar of 300 x 15 px in 1000 px frames drifting 3 px a frame read (0, 0)
// for every frame). They are weighted out of every frame's crop: weight 0 on them, rising to 1 at
// 2 kStationaryRim px from them, so that the hole's own edge is soft and does not correlate at
// zero shift in its turn.
struct DriftCrop {
  DriftCrop(int width, int height, const BitPlane& stationary);
  // The crop of `frame` (this crop's frame size), binned, its weighted mean removed, windowed and
  // weighted, into `out` (side x side).
  void load(const StoredImage& frame, float* out) const;
  int width, height;
  int bin;     // frame pixels a side per compared pixel (1 or 2)
  int side;    // the crop's side in compared pixels
  int x0, y0;  // the crop's corner in the frame's pixels
  std::vector<float> window;  // a Hann window along one side
  std::vector<float> weight;  // side x side: 0 on stationary pixels, soft around them; empty: all 1
};

// The reference frame's crop, transformed once; each frame of the same size is compared with it.
class DriftReference {
 public:
  explicit DriftReference(const StoredImage& reference, const BitPlane& stationary = BitPlane());
  ~DriftReference();
  DriftReference(const DriftReference&) = delete;
  DriftReference& operator=(const DriftReference&) = delete;

  // The frame's shift from the reference. Shifts are measured up to a quarter of the crop's side.
  FrameShift shift_of(const StoredImage& frame) const;
  int crop_side() const { return crop_.side; }  // in compared (binned) pixels

 private:
  DriftCrop crop_;
  std::unique_ptr<RealFft2d> fft_;
  std::vector<std::complex<float>> reference_;  // the reference crop's spectrum
};

// A frame's compared crop, transformed, without the frame: what a series keeps of each point's
// first frame to follow the specimen from point to point (a few MB, where the frame may be
// hundreds).
struct CropSpectrum {
  int width = 0, height = 0, bin = 1, side = 0;  // the frame's size, the binning, the crop's side (binned px)
  std::vector<std::complex<float>> bins;          // r2c layout, side rows of side / 2 + 1
};
CropSpectrum crop_spectrum(const StoredImage& frame, const BitPlane& stationary = BitPlane());

// The shift of `frame`'s content from `reference`'s, as DriftReference::shift_of measures it.
// Throws std::invalid_argument when the two come from frames of different sizes.
FrameShift shift_between(const CropSpectrum& reference, const CropSpectrum& frame);

// Adds `frame` aligned to the reference: total(x, y) += frame(x + sx, y + sy) wherever that pixel
// exists (elsewhere total is left as it is: the caller keeps only the overlap of all frames).
void add_shifted(ImageF& total, const ImageF& frame, int sx, int sy);

}  // namespace mgscope

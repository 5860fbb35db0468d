// What a batch image's reuse check compares with the calibration it is offered, read off the image's
// own grid boxes while they are measured: the power per box ring (how the radial spectrum would
// whiten a box) and the direction dependence (spectrum_anisotropy.hpp). The boxes are transformed for
// their classification anyway, so the check costs a few additions per box; it used to transform two
// 1024 px crops and 200 boxes of them, an eighth of a batch of 2048^2 images (docs/speed.md).
#pragma once
#include <cstddef>
#include <memory>
#include <vector>

#include "imaging/box_features.hpp"
#include "imaging/box_grid.hpp"
#include "imaging/box_region.hpp"
#include "imaging/spectrum_anisotropy.hpp"
#include "imaging/stored_image.hpp"
#include "imaging/window.hpp"

namespace mgscope {

// At most this many specimen boxes of a grid are sampled, spread evenly over them in raster order: all
// of a 2048^2 image at 100 px boxes, every fourth of a 4096^2 one.
constexpr std::size_t kGridSampleBoxes = 400;
// Of which at most this many (every second of a full sample) enter the direction measurement.
constexpr int kDirectionBoxes = 200;
// With fewer boxes added, an image's ring power is too noisy to compare (a 600 px image has 36 boxes
// of 100 px; its mismatch to an image of the same conditions read 0.06-0.10, 2048 px ones 0.02-0.04):
// the check then refuses, and the image calibrates its own.
constexpr int kGridCheckMinBoxes = 20;

class GridSpectrumSample {
 public:
  // `regions`: the region of each box of the grid (only specimen boxes are sampled). With
  // `directions`, the sampled boxes (up to kDirectionBoxes of them) also enter a direction measurement. `geometry` must
  // outlive this.
  GridSpectrumSample(const SpectrumGeometry& geometry, const std::vector<BoxRegion>& regions, bool directions);
  // The sample's slot of grid box `box`, or -1 when it is not sampled.
  int slot(long box) const { return slot_[std::size_t(box)]; }
  int slots() const { return slots_; }
  int added() const;  // slots added so far
  // Sampled box `slot`'s power spectrum (BoxTransformer::power(): unit-variance box, r2c layout); each
  // slot from one thread at most. A slot never added (a flat box) is left out.
  void add(int slot, const float* power);
  // Per box ring (rounded |k|, rings 0 to the geometry's highest column read), the median over the
  // boxes added of each box's mean power in that ring; empty when none was added.
  std::vector<double> ring_power() const;
  // The direction measurement of the boxes added (unmeasured without `directions` or under 20 boxes).
  SpectrumAnisotropy directions(int threads) const;

 private:
  const SpectrumGeometry& g_;
  std::vector<int> slot_;
  int slots_ = 0, rings_ = 0, direction_step_ = 1;
  struct RingPixel {
    int index, ring;  // an r2c index and its ring, for the rings kept
  };
  std::vector<RingPixel> ring_pixels_;
  std::vector<double> ring_sum_;  // slots_ x rings_
  std::vector<char> added_;
  std::unique_ptr<AnisotropyBoxes> directions_;
};

// The ring power of the sample of `regions`' specimen boxes, each transformed here: for a calibration
// made without measuring the grid (a batch's shared one, analyse_hrtem's threshold_only).
std::vector<double> sample_grid_ring_power(const StoredImage& image, const BoxGrid& grid,
                                           const std::vector<BoxRegion>& regions, const SpectrumGeometry& geometry,
                                           WindowKind window, AcfMode acf, int threads);

// How differently two images' box-ring powers (GridSpectrumSample::ring_power) would whiten a box: the
// root mean square, over rings 3 up to the last, of the difference of their logs less its mean (an
// overall scale changes nothing: every box is brought to unit variance). Infinite when they differ in
// length or a ring has no power in one of them.
double box_ring_mismatch(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace mgscope

// Reusing a null calibration (a batch's shared calibration) only for an image of the same radial spectrum.
#include <gtest/gtest.h>

#include <cmath>
#include <utility>

#include "imaging/box_features.hpp"
#include "imaging/box_grid.hpp"
#include "imaging/spot_threshold.hpp"
#include "imaging/synth_hrtem.hpp"
#include "tests/imaging/synth_image.hpp"

using mgscope::test::kPixelNm;

namespace mgscope {
namespace {

ImageF blurred_glass(double blur_nm, unsigned seed, int side_px = 1024) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = side_px;
  o.ordered_fraction = 0.05;
  o.blur_sigma_nm = blur_nm;
  o.seed = seed;
  return test::as_float(make_synth_hrtem(o).counts);
}

struct ThresholdRun {
  explicit ThresholdRun(int side_px = 1024) : grid(make_box_grid(side_px, side_px, kPixelNm, 1.985, 1.985, "test")) {}
  BoxGrid grid;
  SpectrumGeometry geometry{grid.box_px, grid.box_px, kPixelNm, [] {
                              SpotOptions s;
                              s.sidelobe_floor = sidelobe_floor_for(WindowKind::hann);
                              return s;
                            }()};
  SpotThreshold run(const ImageF& image, const SpotThreshold* reuse = nullptr, double tolerance = 0) const {
    ThresholdOptions o;
    o.reuse = reuse;
    o.reuse_tolerance = tolerance;
    return choose_spot_threshold(StoredImage(image), grid, geometry, WindowKind::hann, AcfMode::circular, o, 2);
  }
};

// The null's crops take the largest side up to the image's shorter one with no prime factor above 7:
// 1021 px (a prime) and 1020 = 4 x 3 x 5 x 17 -> 1008 = 16 x 9 x 7; 1000 and 1024 as they are.
TEST(ThresholdReuse, NullCropsTakeASideFftwTransformsFast) {
  for (const auto& [image_px, crop_px] : {std::pair{1021, 1008}, {1020, 1008}, {1000, 1000}, {1024, 1024}}) {
    const ThresholdRun c(image_px);
    const SpotThreshold t = c.run(blurred_glass(0.02, 1, image_px));
    EXPECT_EQ(t.null_spectrum_side, crop_px) << image_px << " px";
    EXPECT_GE(t.null_boxes_used, 2000) << image_px << " px";
  }
}

TEST(ThresholdReuse, SameSpectrumReusesAnotherSpectrumCalibratesItsOwn) {
  const ThresholdRun c;
  const ImageF first = blurred_glass(0.02, 1);
  const SpotThreshold base = c.run(first);
  ASSERT_FALSE(base.null_spectrum.empty());
  EXPECT_EQ(base.null_spectrum_side, 1024);

  // The same image in other units (gain and offset): the same spectrum to rounding, so reused.
  ImageF scaled = first;
  for (float& v : scaled.pixels) v = 3.f * v + 1000.f;
  const SpotThreshold same = c.run(scaled, &base, 0.2);
  EXPECT_FALSE(same.reuse_refused);
  EXPECT_LT(same.spectrum_mismatch, 1e-4);
  EXPECT_EQ(same.value, base.value);

  // Another seed of the same glass: reused, with the mismatch it was judged on.
  const SpotThreshold seed = c.run(blurred_glass(0.02, 2), &base, 0.2);
  EXPECT_FALSE(seed.reuse_refused);
  EXPECT_GT(seed.spectrum_mismatch, 0);
  EXPECT_LT(seed.spectrum_mismatch, 0.2);
  EXPECT_EQ(seed.value, base.value);

  // Twice the blur: refused, and the level is the image's own calibration to the bit.
  const ImageF blurred = blurred_glass(0.04, 3);
  const SpotThreshold refused = c.run(blurred, &base, 0.2);
  EXPECT_TRUE(refused.reuse_refused);
  EXPECT_GT(refused.spectrum_mismatch, 0.3);
  const SpotThreshold own = c.run(blurred);
  EXPECT_EQ(refused.value, own.value);
  EXPECT_EQ(refused.secondary_value, own.secondary_value);
  EXPECT_NE(refused.value, base.value);
  EXPECT_NE(refused.description.find("differs from that of the calibration offered for reuse"), std::string::npos);

  // Without a tolerance the reuse is unconditional, as for the points of an in-situ series.
  const SpotThreshold always = c.run(blurred, &base);
  EXPECT_FALSE(always.reuse_refused);
  EXPECT_TRUE(std::isnan(always.spectrum_mismatch));
  EXPECT_EQ(always.value, base.value);
}

// A 2048 px image is calibrated on four 1024 px crops, and checked on two of them: a refused image's
// own calibration takes those two from the check and measures the other two, with the numbers of
// a calibration made afresh.
TEST(ThresholdReuse, ARefusedImageOfFourCropsGetsItsOwnCalibrationToTheBit) {
  const ThresholdRun c(2048);
  const SpotThreshold base = c.run(blurred_glass(0.02, 1, 2048));
  const ImageF blurred = blurred_glass(0.04, 3, 2048);
  const SpotThreshold refused = c.run(blurred, &base, 0.2);
  ASSERT_TRUE(refused.reuse_refused);
  const SpotThreshold own = c.run(blurred);
  EXPECT_EQ(refused.null_spectrum, own.null_spectrum);
  EXPECT_EQ(refused.null_maxima, own.null_maxima);
  EXPECT_EQ(refused.value, own.value);
  EXPECT_EQ(refused.secondary_value, own.secondary_value);
  EXPECT_NE(own.description.find("(4 crop(s))"), std::string::npos) << own.description;
}

}  // namespace
}  // namespace mgscope

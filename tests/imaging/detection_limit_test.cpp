// The detection limit against its own definition: fringes of the contrast it gives, added to a glass
// the program never saw as a null (the synthetic "maze" glass with shot noise, not a Gaussian field),
// are found in about half and 90 % of the boxes.
#include "imaging/detection_limit.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "imaging/hrtem_analysis.hpp"
#include "imaging/spot_threshold.hpp"
#include "imaging/synth_hrtem.hpp"
#include "synth_image.hpp"

namespace mgscope {

namespace {

constexpr double kTwoPi = 6.283185307179586476925;

// `noisy` with fringes of spacing `d_nm` in each box of the n px grid, of a direction and phase of the
// box's own (crystals lie every way) and a standard deviation `contrast` times that of the box's
// specimen contrast, which `clean` holds without the noise, `scale` times weaker: the limit's
// definition, box by box.
ImageF with_fringes(const ImageF& noisy, const ImageF& clean, double scale, int n, double pixel_nm, double d_nm,
                    double contrast) {
  ImageF out = noisy;
  std::mt19937_64 random(99);
  std::uniform_real_distribution<double> turn(0, kTwoPi);
  for (int y0 = 0; y0 + n <= noisy.height; y0 += n)
    for (int x0 = 0; x0 + n <= noisy.width; x0 += n) {
      double s = 0, s2 = 0;
      for (int y = y0; y < y0 + n; ++y)
        for (int x = x0; x < x0 + n; ++x) {
          s += clean.at(x, y);
          s2 += double(clean.at(x, y)) * clean.at(x, y);
        }
      const double mean = s / (n * n), sd = scale * std::sqrt(std::max(0.0, s2 / (n * n) - mean * mean));
      const double direction = turn(random), phase = turn(random);
      const double kx = std::cos(direction) * pixel_nm / d_nm, ky = std::sin(direction) * pixel_nm / d_nm;
      for (int y = y0; y < y0 + n; ++y)
        for (int x = x0; x < x0 + n; ++x)
          out.at(x, y) += float(contrast * sd * std::sqrt(2.0) * std::cos(kTwoPi * (kx * x + ky * y) + phase));
    }
  return out;
}

}  // namespace

struct Glass {
  double ring_d_nm, blur_nm, dose_counts;
};

class DetectionLimitOnGlass : public ::testing::TestWithParam<Glass> {};

TEST_P(DetectionLimitOnGlass, FringesAtTheStatedContrastsAreFoundInHalfAndNinetyPercentOfBoxes) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 2048;  // 400 boxes: a found share within +-0.05 (2 sd) at one half
  o.ordered_fraction = 0;
  o.ring_d_nm = GetParam().ring_d_nm;
  o.blur_sigma_nm = GetParam().blur_nm;
  o.dose_counts = GetParam().dose_counts;
  o.seed = 7;
  o.noise_seed = 5;  // the specimen the same with and without the noise
  const ImageF glass = test::as_float(make_synth_hrtem(o).counts);
  SynthHrtemOptions without_noise = o;
  without_noise.dose_counts = 0;  // noise-free, at 1000 counts a pixel
  const ImageF clean = test::as_float(make_synth_hrtem(without_noise).counts);
  HrtemOptions ho;
  ho.threads = 2;
  const HrtemResult calibration = analyse_hrtem(with_pixel_size(glass, o.pixel_nm), ho, "glass");
  ASSERT_TRUE(calibration.threshold.detection_limit);
  const DetectionLimit& limit = *calibration.threshold.detection_limit;
  ASSERT_EQ(limit.not_measured, "");
  ASSERT_EQ(limit.spacing_nm.size(), 3u);
  EXPECT_EQ(limit.boxes, 48);
  // The fringed images take the glass's calibration whole: the level and noise model the limit was
  // measured against.
  HrtemOptions reuse = ho;
  reuse.threshold.reuse = &calibration.threshold;
  for (std::size_t s = 0; s < limit.spacing_nm.size(); ++s) {
    ASSERT_TRUE(std::isfinite(limit.contrast_90[s]));
    EXPECT_LT(limit.contrast_50[s], limit.contrast_90[s]);
    double found[2];
    for (int k = 0; k < 2; ++k) {
      const double contrast = k == 0 ? limit.contrast_50[s] : limit.contrast_90[s];
      const ImageF image = with_fringes(glass, clean, o.dose_counts / 1000.0, calibration.grid.box_px, o.pixel_nm,
                                        limit.spacing_nm[s], contrast);
      found[k] = analyse_hrtem(with_pixel_size(image, o.pixel_nm), reuse, "fringes").fractions.ordered_fraction;
    }
    std::printf("d %.3f nm: contrast %.3f found in %.3f of boxes, %.3f in %.3f\n", limit.spacing_nm[s],
                limit.contrast_50[s], found[0], limit.contrast_90[s], found[1]);
    // The limit's own 48 boxes put its percentiles within about +-0.07 (at one half) and +-0.04 (at 0.9)
    // of the shares they stand for, the 400 boxes here add +-0.05 and +-0.03 (2 sd), and the null
    // model is a Gaussian field where this glass is not (measured: 0.31-0.60 and 0.85-0.95).
    EXPECT_NEAR(found[0], 0.5, 0.2) << limit.spacing_nm[s];
    EXPECT_GE(found[1], 0.75) << limit.spacing_nm[s];
    EXPECT_LE(found[1], 0.99) << limit.spacing_nm[s];
  }
}

// The generator's default glass (halo at 0.25 nm, 400 counts a pixel), a wider-spaced, blurred one at
// a quarter of the dose, and a narrow-spaced one at four times the dose (its speckle, not the shot
// noise, sets the limit: the model's limit at 0.476 nm is about 15 % low, found in 0.31 and 0.91).
INSTANTIATE_TEST_SUITE_P(ThreeGlasses, DetectionLimitOnGlass,
                         ::testing::Values(Glass{0.25, 0.02, 400}, Glass{0.30, 0.05, 100}, Glass{0.22, 0.02, 1600}),
                         [](const ::testing::TestParamInfo<Glass>& info) {
                           return "Halo" + std::to_string(int(std::lround(1000 * info.param.ring_d_nm))) + "pmDose" +
                                  std::to_string(int(info.param.dose_counts));
                         });

// The contrast is the specimen's, the noise taken out: a noisier image of the same glass needs stronger
// fringes where the noise competes with them (away from the halo), and about the same at the halo, where
// the glass's own speckle does. With the noise left in the contrast, the 25-count image had read the
// lower limit at the halo (0.33 against 0.68 at 1600 counts).
TEST(DetectionLimit, ANoisierImageOfTheSameGlassNeedsStrongerFringes) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 1024;
  o.ordered_fraction = 0;
  o.seed = 3;
  o.noise_seed = 4;
  HrtemOptions ho;
  ho.threads = 2;
  ho.threshold_only = true;
  DetectionLimit at[2];
  for (int k = 0; k < 2; ++k) {
    o.dose_counts = k == 0 ? 1600 : 25;
    const ImageF image = test::as_float(make_synth_hrtem(o).counts);
    at[k] = *analyse_hrtem(with_pixel_size(image, o.pixel_nm), ho, "glass").threshold.detection_limit;
    ASSERT_EQ(at[k].not_measured, "");
    std::printf("%g counts: noise share %.3f, contrast for 90 %% %.3f %.3f %.3f\n", o.dose_counts, at[k].noise_share,
                at[k].contrast_90[0], at[k].contrast_90[1], at[k].contrast_90[2]);
  }
  EXPECT_LT(at[0].noise_share, 0.3);  // measured 0.070 and 0.816 (the truth: 0.059 and 0.80)
  EXPECT_GT(at[1].noise_share, 0.7);
  EXPECT_GT(at[1].contrast_90[0], 1.5 * at[0].contrast_90[0]);                           // 0.189 nm: measured 2.6x
  EXPECT_GT(at[1].contrast_90[2], 1.5 * at[0].contrast_90[2]);                           // 0.476 nm: 3.5x
  EXPECT_NEAR(at[1].contrast_90[1], at[0].contrast_90[1], 0.25 * at[0].contrast_90[1]);  // 0.300 nm: 0.96x
}

// White noise, where the null model is exact and the limit has a closed form: a Hann-windowed cosine of
// standard deviation c (amplitude c sqrt 2) in a box of unit-variance noise whitens to about
// (c^2 / 2) (sum w)^2 / sum w^2 = 2222 c^2 on a Fourier pixel (100 px box: sum w = 2500, sum w^2 = 1406),
// times the window's scalloping where the fringe falls between pixels (a median of about 0.85 over
// random directions). Half the boxes pass a level T near c = sqrt(T / 1889). The spots alone: the
// cover test (fringes over most of the box) is off, since its cells' noise has no closed form here.
TEST(DetectionLimit, WhiteNoiseFollowsTheClosedForm) {
  const int side = 1000, n = 100;
  const ImageF noise = draw_null_field(std::vector<double>(side + 2, 1.0), side, nullptr, 5);
  const double pixel_nm = 0.0199;
  const SpectrumGeometry geometry(n, n, pixel_nm, SpotOptions{});
  const std::vector<double> spacings = detection_spacings_nm(0.15, 0.60);
  ClassRules rules;
  rules.min_cover = 0;
  for (double level : {15.0, 30.0}) {
    const DetectionLimit limit = measure_detection_limit(noise, geometry, pixel_nm, WindowKind::hann, AcfMode::circular,
                                                         {level, level, nullptr}, rules, spacings, 0, 3, 2);
    ASSERT_EQ(limit.not_measured, "");
    EXPECT_EQ(limit.boxes, 48);  // 10 x 10 whole boxes in 1000 px, 48 used
    const double expected = std::sqrt(level / 1889.0);
    for (std::size_t s = 0; s < spacings.size(); ++s) {
      std::printf("level %.0f, d %.3f nm: contrast %.3f (50 %%) %.3f (90 %%), closed form %.3f\n", level, spacings[s],
                  limit.contrast_50[s], limit.contrast_90[s], expected);
      // At 0.476 nm the fringe lies 4.2 Fourier pixels out, on a whitening ring of about 13 pixels of
      // which its window's main lobe fills several: the ring's median rises with the fringe, and the
      // contrast needed by some 20 % (measured 1.15-1.19x).
      const double ring_share = spacings[s] > 0.4 ? 1.2 : 1.0;
      // Within 15 %: the scalloping's median and the noise's interference with the fringe are approximate,
      // the contrast is known within 2.2 % and its median from 48 boxes (measured +4 to +9 %).
      EXPECT_NEAR(limit.contrast_50[s], ring_share * expected, 0.15 * expected) << spacings[s];
      EXPECT_GT(limit.contrast_90[s], limit.contrast_50[s]);
      // The worst scalloping (a fringe midway between pixels on both axes) keeps 0.72^2 of the power: 1.39x
      // the contrast of a fringe on a pixel, the noise's interference a little more (measured 1.36-1.54x).
      EXPECT_LT(limit.contrast_90[s], 1.7 * ring_share * expected);
    }
  }
}

TEST(DetectionLimit, TheSameForAnyThreadCount) {
  const ImageF noise = draw_null_field(std::vector<double>(514, 1.0), 512, nullptr, 8);
  const SpectrumGeometry geometry(100, 100, 0.0199, SpotOptions{});
  const std::vector<double> spacings = detection_spacings_nm(0.15, 0.60);
  const DetectionLevels levels{20, 12, nullptr};
  const DetectionLimit one = measure_detection_limit(noise, geometry, 0.0199, WindowKind::hann, AcfMode::circular,
                                                     levels, {}, spacings, 0, 4, 1);
  const DetectionLimit two = measure_detection_limit(noise, geometry, 0.0199, WindowKind::hann, AcfMode::circular,
                                                     levels, {}, spacings, 0, 4, 2);
  EXPECT_EQ(one.boxes, 48);  // 512 px: 5 x 5 whole boxes, so half-box steps (9 x 9), of which 48
  EXPECT_EQ(one.contrast_50, two.contrast_50);
  EXPECT_EQ(one.contrast_90, two.contrast_90);
}

TEST(DetectionLimit, NotMeasuredOnTooFewBoxesOrUnderFdr) {
  const ImageF small = draw_null_field(std::vector<double>(202, 1.0), 200, nullptr, 8);  // 3 x 3 at half-box steps
  const SpectrumGeometry geometry(100, 100, 0.0199, SpotOptions{});
  const DetectionLimit limit = measure_detection_limit(small, geometry, 0.0199, WindowKind::hann, AcfMode::circular,
                                                       {20, 12, nullptr}, {}, {0.3}, 0, 4, 1);
  EXPECT_NE(limit.not_measured.find("holds 9 boxes, fewer than 16"), std::string::npos) << limit.not_measured;
  EXPECT_TRUE(limit.contrast_50.empty());
  // A field drawn from no spectrum (nothing measured) is flat: not "beyond every contrast".
  const ImageF flat = draw_null_field({}, 512, nullptr, 8);
  const DetectionLimit none = measure_detection_limit(flat, geometry, 0.0199, WindowKind::hann, AcfMode::circular,
                                                      {20, 12, nullptr}, {}, {0.3}, 0, 4, 1);
  EXPECT_NE(none.not_measured.find("no contrast"), std::string::npos) << none.not_measured;
  EXPECT_TRUE(none.contrast_90.empty());

  SynthHrtemOptions o;
  o.width_px = o.height_px = 600;
  const ImageF image = test::as_float(make_synth_hrtem(o).counts);
  HrtemOptions fdr;
  fdr.fdr_q = 0.05;
  const HrtemResult r = analyse_hrtem(with_pixel_size(image, o.pixel_nm), fdr, "fdr");
  ASSERT_TRUE(r.threshold.detection_limit);
  EXPECT_NE(r.threshold.detection_limit->not_measured.find("--fdr"), std::string::npos);
}

}  // namespace mgscope

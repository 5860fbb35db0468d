// The reuse check read off an image's own grid boxes (grid_spectrum.hpp): the mismatch's closed form,
// the boxes sampled, the ring power of white and blurred noise against their known spectra, and a
// batch image checked this way (reused, or calibrated on its own null to the bit).
#include "imaging/grid_spectrum.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "imaging/hrtem_analysis.hpp"
#include "imaging/synth_hrtem.hpp"
#include "synth_image.hpp"
#include "tests/test_support.hpp"

using mgscope::test::kPi;
using mgscope::test::kPixelNm;

namespace mgscope {
namespace {

SpectrumGeometry geometry_of(int box_px) {
  SpotOptions s;
  s.sidelobe_floor = sidelobe_floor_for(WindowKind::hann);
  return SpectrumGeometry(box_px, box_px, kPixelNm, s);
}

ImageF white_noise(int side, unsigned seed) {
  ImageF f(side, side);
  std::mt19937_64 random(seed);
  std::normal_distribution<float> normal(1000.f, 30.f);
  for (float& v : f.pixels) v = normal(random);
  return f;
}

// `f` blurred by a Gaussian of `sigma_px` (separable, mirrored at the edges): its power spectrum is
// the white one times exp(-(2 pi f sigma)^2), f in cycles per pixel.
ImageF blurred(const ImageF& f, double sigma_px) {
  const int r = int(std::ceil(4 * sigma_px));
  std::vector<double> w(std::size_t(2 * r + 1));
  double sum = 0;
  for (int k = -r; k <= r; ++k) sum += w[std::size_t(k + r)] = std::exp(-0.5 * k * k / (sigma_px * sigma_px));
  for (double& v : w) v /= sum;
  auto mirror = [](int i, int n) { return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i; };
  ImageF rows(f.width, f.height), out(f.width, f.height);
  for (int y = 0; y < f.height; ++y)
    for (int x = 0; x < f.width; ++x) {
      double s = 0;
      for (int k = -r; k <= r; ++k) s += w[std::size_t(k + r)] * f.at(mirror(x + k, f.width), y);
      rows.at(x, y) = float(s);
    }
  for (int y = 0; y < f.height; ++y)
    for (int x = 0; x < f.width; ++x) {
      double s = 0;
      for (int k = -r; k <= r; ++k) s += w[std::size_t(k + r)] * rows.at(x, mirror(y + k, f.height));
      out.at(x, y) = float(s);
    }
  return out;
}

std::vector<double> ring_power_of(const ImageF& image, int threads) {
  const BoxGrid grid = make_box_grid(image.width, image.height, kPixelNm, 1.985, 1.985, "test");
  const SpectrumGeometry g = geometry_of(grid.box_px);
  const std::vector<BoxRegion> regions(std::size_t(grid.count()), BoxRegion::specimen);
  return sample_grid_ring_power(StoredImage(image), grid, regions, g, WindowKind::hann, AcfMode::circular, threads);
}

}  // namespace

TEST(BoxRingMismatch, IsTheRmsOfTheLogRatioLessItsMeanFromRingThree) {
  const std::vector<double> a = {50, 9, 4, 2, 1.5, 1.2, 1.0};
  std::vector<double> b = a;
  for (double& v : b) v *= 3;  // a scale: every box is at unit variance anyway
  EXPECT_NEAR(box_ring_mismatch(a, b), 0.0, 1e-12);
  b = a;
  b[0] = 1e-3, b[1] = 70, b[2] = 0.5;  // rings 0-2 (the window's and the plane's) are not compared
  for (std::size_t k = 3; k < b.size(); ++k) b[k] *= std::exp(k % 2 ? 0.1 : -0.1);
  EXPECT_NEAR(box_ring_mismatch(a, b), 0.1, 1e-12);
  b[5] = 0;
  EXPECT_EQ(box_ring_mismatch(a, b), std::numeric_limits<double>::infinity());
  EXPECT_EQ(box_ring_mismatch(a, std::vector<double>(a.begin(), a.end() - 1)), std::numeric_limits<double>::infinity());
  EXPECT_EQ(box_ring_mismatch({}, {}), std::numeric_limits<double>::infinity());
}

// Specimen boxes only, at most kGridSampleBoxes of them, spread evenly: of 1,280 specimen boxes
// (every fifth of 1,600 is vacuum) every 3.2th; of 300 every one.
TEST(GridSpectrumSample, SamplesUpTo400SpecimenBoxesSpreadOverTheGrid) {
  const SpectrumGeometry g = geometry_of(100);
  std::vector<BoxRegion> regions(1600, BoxRegion::specimen);
  for (std::size_t i = 0; i < regions.size(); i += 5) regions[i] = BoxRegion::vacuum;
  regions[1] = BoxRegion::edge;
  const GridSpectrumSample many(g, regions, false);
  EXPECT_EQ(many.slots(), int(kGridSampleBoxes));
  int next = 0, specimen_seen = 0, last_taken = -1, widest_gap = 0;
  for (long i = 0; i < long(regions.size()); ++i) {
    if (regions[std::size_t(i)] != BoxRegion::specimen) {
      EXPECT_EQ(many.slot(i), -1) << i;
      continue;
    }
    if (many.slot(i) >= 0) {
      EXPECT_EQ(many.slot(i), next++) << i;  // slots in raster order
      if (last_taken >= 0) widest_gap = std::max(widest_gap, specimen_seen - last_taken);
      last_taken = specimen_seen;
    }
    ++specimen_seen;
  }
  EXPECT_LE(widest_gap, 4);  // 1279 specimen boxes / 400 = 3.2 apart
  EXPECT_GE(last_taken, specimen_seen - 4);
  const GridSpectrumSample few(g, std::vector<BoxRegion>(300, BoxRegion::specimen), false);
  EXPECT_EQ(few.slots(), 300);
  for (long i = 0; i < 300; ++i) EXPECT_EQ(few.slot(i), int(i));
  EXPECT_TRUE(few.ring_power().empty());  // no box added
}

// White noise: every ring of a windowed unit-variance box holds the same mean power. Blurred by a
// Gaussian of 1 px its rings fall as exp(-(2 pi k sigma / n)^2) (the window smooths that over a
// ring or two), and the mismatch is that curve's rms less its mean; two noises of one kind read none.
TEST(GridSpectrumSample, RingPowerOfWhiteAndBlurredNoiseFollowsTheirSpectra) {
  const ImageF white = white_noise(1000, 1);
  const std::vector<double> p = ring_power_of(white, 2);
  ASSERT_EQ(p.size(), std::size_t(geometry_of(100).highest_column_read() + 1));
  double mean = 0;
  for (std::size_t k = 3; k < p.size(); ++k) mean += p[k];
  mean /= double(p.size() - 3);
  for (std::size_t k = 3; k < p.size(); ++k) EXPECT_NEAR(p[k] / mean, 1.0, 0.12) << "ring " << k;
  EXPECT_LT(box_ring_mismatch(p, ring_power_of(white_noise(1000, 2), 2)), 0.04);

  const double sigma_px = 1.0, n = 100;
  const std::vector<double> b = ring_power_of(blurred(white, sigma_px), 2);
  std::vector<double> measured, expected;
  for (std::size_t k = 3; k < b.size(); ++k) {
    measured.push_back(std::log(b[k] / p[k]));
    const double f = 2 * kPi * double(k) * sigma_px / n;
    expected.push_back(-f * f);
  }
  auto less_mean = [](std::vector<double>& v) {
    double m = 0;
    for (double x : v) m += x;
    m /= double(v.size());
    for (double& x : v) x -= m;
  };
  less_mean(measured);
  less_mean(expected);
  double expected_rms = 0;
  for (std::size_t i = 0; i < measured.size(); ++i) {
    EXPECT_NEAR(measured[i], expected[i], 0.15) << "ring " << i + 3;
    expected_rms += expected[i] * expected[i];
  }
  expected_rms = std::sqrt(expected_rms / double(expected.size()));
  EXPECT_GT(expected_rms, 0.3);  // rings 3-18: 0.39
  EXPECT_NEAR(box_ring_mismatch(p, b), expected_rms, 0.05);
}

// The ring power a batch's calibration carries comes from transforming its sample alone
// (threshold_only); an image measured in full reads it off its boxes. Both give the same numbers, on
// any thread count.
TEST(GridSpectrumSample, ACalibrationAloneAndAFullAnalysisCarryTheSameRingPower) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 1024;
  o.ordered_fraction = 0.05;
  o.seed = 3;
  const ImageF glass = test::as_float(make_synth_hrtem(o).counts);
  HrtemOptions full;
  full.threads = 1;
  full.detection_limit = false;
  HrtemOptions alone = full;
  alone.threads = 2;
  alone.threshold_only = true;
  const std::vector<double> a = analyse_hrtem(with_pixel_size(glass, kPixelNm), full, "full").threshold.box_ring_power;
  const std::vector<double> b =
      analyse_hrtem(with_pixel_size(glass, kPixelNm), alone, "alone").threshold.box_ring_power;
  ASSERT_FALSE(a.empty());
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) EXPECT_NEAR(a[k] / b[k], 1.0, 1e-5) << "ring " << k;
  EXPECT_EQ(ring_power_of(glass, 1), ring_power_of(glass, 2));
}

// A batch image offered a calibration made on another image's grid: of the same glass, reused with
// the mismatch and direction change it was judged on; blurred twice as much, refused, and then its
// level and every box are those of its own calibration alone.
TEST(GridReuseCheck, TheSameGlassReusesAnotherBlurCalibratesItsOwnToTheBit) {
  auto glass = [](double blur_nm, unsigned seed) {
    SynthHrtemOptions o;
    o.width_px = o.height_px = 1024;
    o.ordered_fraction = 0.05;
    o.blur_sigma_nm = blur_nm;
    o.seed = seed;
    return with_pixel_size(test::as_float(make_synth_hrtem(o).counts), kPixelNm);
  };
  HrtemOptions options;
  options.threads = 2;
  options.detection_limit = false;
  const HrtemResult base = analyse_hrtem(glass(0.02, 1), options, "base");
  ASSERT_FALSE(base.threshold.box_ring_power.empty());
  HrtemOptions reuse = options;
  reuse.threshold.reuse = &base.threshold;
  reuse.threshold.reuse_tolerance = 0.2;

  const HrtemResult same = analyse_hrtem(glass(0.02, 2), reuse, "same");
  EXPECT_FALSE(same.threshold.reuse_refused);
  EXPECT_TRUE(same.calibration_reused);
  EXPECT_EQ(same.threshold.value, base.threshold.value);
  EXPECT_GT(same.threshold.spectrum_mismatch, 0);
  EXPECT_LT(same.threshold.spectrum_mismatch, 0.1);
  EXPECT_LT(same.threshold.direction_change, kAnisotropyReuseTolerance);
  EXPECT_NE(same.threshold.description.find("radial spectrum differs from it by"), std::string::npos);

  const CalibratedImage other = glass(0.04, 3);
  const HrtemResult refused = analyse_hrtem(other, reuse, "refused");
  const HrtemResult own = analyse_hrtem(other, options, "own");
  EXPECT_TRUE(refused.threshold.reuse_refused);
  EXPECT_FALSE(refused.calibration_reused);
  EXPECT_GT(refused.threshold.spectrum_mismatch, 0.3);
  EXPECT_NE(refused.threshold.description.find("radial spectrum differs from that of the calibration offered"),
            std::string::npos);
  EXPECT_EQ(refused.threshold.value, own.threshold.value);
  EXPECT_NE(refused.threshold.value, base.threshold.value);
  EXPECT_EQ(refused.threshold.box_ring_power, own.threshold.box_ring_power);
  ASSERT_EQ(refused.boxes.size(), own.boxes.size());
  for (std::size_t i = 0; i < own.boxes.size(); ++i) {
    EXPECT_EQ(refused.boxes[i].features.max_whitened, own.boxes[i].features.max_whitened) << i;
    EXPECT_EQ(refused.boxes[i].cls, own.boxes[i].cls) << i;
  }
  EXPECT_EQ(refused.fractions.ordered_boxes, own.fractions.ordered_boxes);

  // 16 boxes of 100 px: too few to compare (kGridCheckMinBoxes), so its own calibration, saying why.
  SynthHrtemOptions o;
  o.width_px = o.height_px = 400;
  o.ordered_fraction = 0.05;
  o.seed = 4;
  const HrtemResult small =
      analyse_hrtem(with_pixel_size(test::as_float(make_synth_hrtem(o).counts), kPixelNm), reuse, "small");
  EXPECT_TRUE(small.threshold.reuse_refused);
  EXPECT_EQ(small.threshold.spectrum_mismatch, std::numeric_limits<double>::infinity());
  EXPECT_NE(small.threshold.description.find("fewer than 20 specimen boxes to compare"), std::string::npos)
      << small.threshold.description;
}

}  // namespace mgscope

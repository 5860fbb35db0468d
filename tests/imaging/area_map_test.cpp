// The sliding-grid area map against constructed truth: a lattice half and a noise half, boxes
// marked vacuum, the block bootstrap on blocks with known sums, and mixed synthetic glass scored
// against its pixel labels.
#include "imaging/area_map.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <tuple>

#include "fitting/base/error.hpp"
#include "imaging/synth_hrtem.hpp"
#include "tests/imaging/synth_image.hpp"

using mgscope::test::kPixelNm;

namespace mgscope {

namespace {

// x < lattice_x: a square lattice of spacing 0.25 nm along x and y (a nanocrystal); elsewhere
// white noise (no spot at a threshold of 15: its whitened maxima stay near ln M ~ 7).
ImageF half_lattice(int w, int h, int lattice_x) {
  ImageF img(w, h);
  std::mt19937 rng(5);
  std::normal_distribution<float> noise(0.f, 1.f);
  const double k = 2 * 3.14159265358979323846 * kPixelNm / 0.25;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      img.at(x, y) = (x < lattice_x ? float(2 * (std::cos(k * x) + std::cos(k * y))) : 0.f) + 0.3f * noise(rng);
  return img;
}

HrtemOptions fixed_threshold() {
  HrtemOptions o;
  o.threshold.mode = ThresholdMode::fixed;
  o.threshold.fixed = 15.0;
  o.threads = 2;
  // The test images put lattice next to white noise, which has no specimen contrast: the vacuum
  // finder would rightly call it vacuum. These tests are about the area vote, so it stays off.
  o.mask.find_vacuum = false;
  return o;
}

}  // namespace

// The sliding grid skips the ACF: the spectrum, and so every spot, must be the same.
TEST(AreaMap, TransformWithoutAcfKeepsTheSpectrumAndTheFlatFlag) {
  const ImageF img = half_lattice(200, 200, 100);
  BoxTransformer full(100, WindowKind::hann, AcfMode::circular), lean(100, WindowKind::hann, AcfMode::circular, false);
  ASSERT_TRUE(full.transform(img, 50, 50));
  ASSERT_TRUE(lean.transform(img, 50, 50));
  for (int i = 0; i < 100 * 51; ++i) ASSERT_EQ(full.power()[i], lean.power()[i]) << i;
  EXPECT_EQ(lean.acf()[0], 1.f);
  EXPECT_EQ(lean.acf()[1], 0.f);
  SpotOptions so;
  const SpectrumGeometry geometry(100, 100, kPixelNm, so);
  BoxMeasurer a(geometry), b(geometry);
  const BoxFeatures fa = a.measure(full, 15, 10), fb = b.measure(lean, 15, 10);
  EXPECT_EQ(fa.pairs, fb.pairs);
  EXPECT_EQ(fa.max_whitened, fb.max_whitened);
  EXPECT_GT(fb.pairs, 0);
  EXPECT_FALSE(fb.flat);
  const ImageF flat(100, 100, 3.f);
  EXPECT_FALSE(lean.transform(flat, 0, 0));
  EXPECT_TRUE(b.measure(lean, 15, 10).flat);
}

// The sliding and null boxes compute only the spectrum columns that measure() reads. On boxes of
// every kind of size (smooth, 2^k, odd, a size FFTW plans otherwise when banded: 187) with a
// lattice at 0.25 nm and an oblique second set, or noise alone, those columns must be the full
// transform's bit for bit and the measurement the same in every field the area map uses.
TEST(AreaMap, BandedTransformGivesTheFullSpectrumWhereTheMeasurementReads) {
  for (int n : {50, 64, 100, 128, 187, 200}) {
    const double pixel_nm = 1.985 / n;
    // Left box: fringes at 0.25 nm along x, 0.21 nm oblique and 0.155 nm (the annulus' outer edge,
    // where the whitening rings and the streak test reach the highest columns); right: noise.
    ImageF img(3 * n, n);
    std::mt19937 rng{std::uint32_t(n)};
    std::normal_distribution<float> noise(0.f, 1.f);
    const double two_pi = 2 * 3.14159265358979323846;
    const double k1 = two_pi * pixel_nm / 0.25, k2 = two_pi * pixel_nm / 0.21, k3 = two_pi * pixel_nm / 0.155;
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < 3 * n; ++x)
        img.at(x, y) = (x < n ? float(1.5 * std::cos(k1 * x) + 1.2 * std::cos(k2 * (0.6 * x + 0.8 * y)) +
                                      1.0 * std::cos(k3 * (0.8 * x - 0.6 * y)))
                              : 0.f) +
                       0.5f * noise(rng);
    const SpectrumGeometry geometry(n, n, pixel_nm, SpotOptions{});
    const int top = geometry.highest_column_read();
    ASSERT_LT(top, n / 2) << n;  // something to leave out
    BoxTransformer full(n, WindowKind::hann, AcfMode::circular, false);
    BoxTransformer banded(n, WindowKind::hann, AcfMode::circular, false, top);
    BoxMeasurer ma(geometry), mb(geometry);
    const int half = n / 2 + 1;
    for (int x0 = 0; x0 <= 2 * n; x0 += (x0 < n ? n : n / 8)) {  // the lattice box, then 9 noise boxes
      ASSERT_TRUE(full.transform(img, x0, 0));
      ASSERT_TRUE(banded.transform(img, x0, 0));
      bool beyond_zero = true;
      for (int y = 0; y < n; ++y)
        for (int x = 0; x < half; ++x) {
          const float a = full.power()[y * half + x], b = banded.power()[y * half + x];
          if (x <= top) ASSERT_EQ(a, b) << "n " << n << " ky row " << y << " kx " << x;
          else beyond_zero = beyond_zero && b == 0.f;
        }
      // 100 px boxes (the common case) must take the banded path; elsewhere it may fall back to
      // every column, which the loop above then found equal too.
      if (n == 100) EXPECT_TRUE(beyond_zero);
      const BoxFeatures fa = ma.measure(full, 15, 10), fb = mb.measure(banded, 15, 10);
      EXPECT_EQ(fa.max_whitened, fb.max_whitened) << n;
      EXPECT_EQ(fa.pairs, fb.pairs) << n;
      EXPECT_EQ(fa.directions, fb.directions) << n;
      EXPECT_EQ(fa.fringe_cells, fb.fringe_cells) << n;
      EXPECT_EQ(fa.streaks, fb.streaks) << n;
      EXPECT_EQ(fa.anisotropy, fb.anisotropy) << n;
      ASSERT_EQ(fa.spots.size(), fb.spots.size()) << n;
      for (std::size_t i = 0; i < fa.spots.size(); ++i) {
        EXPECT_EQ(fa.spots[i].whitened, fb.spots[i].whitened);
        EXPECT_EQ(fa.spots[i].d_nm, fb.spots[i].d_nm);
        EXPECT_EQ(fa.spots[i].cover, fb.spots[i].cover);
      }
      if (x0 == 0) EXPECT_GE(fb.directions, 2) << "the lattice box of " << n << " px shows both fringe sets";
      else EXPECT_EQ(fb.pairs, 0) << "the noise box of " << n << " px has no spot";
    }
  }
  EXPECT_THROW(BoxTransformer(100, WindowKind::hann, AcfMode::circular, true, 20), std::invalid_argument);
}

TEST(AreaBootstrap, KnownBlocksGiveTheBinomialSpread) {
  // 400 equal blocks, half wholly ordered: the ratio's sd is sqrt(0.25 / 400) = 0.025.
  std::vector<BlockSums> blocks(400, BlockSums{1.0, 0.0});
  for (std::size_t i = 0; i < blocks.size(); i += 2) blocks[i].numerator = 1.0;
  const Interval ci = block_bootstrap_ratio_95(blocks, 2000, 7);
  EXPECT_NEAR(ci.low, 0.5 - 1.96 * 0.025, 0.008);
  EXPECT_NEAR(ci.high, 0.5 + 1.96 * 0.025, 0.008);
  const Interval again = block_bootstrap_ratio_95(blocks, 2000, 7);
  EXPECT_EQ(ci.low, again.low);
  EXPECT_EQ(ci.high, again.high);
  // Every block wholly ordered: no spread at all.
  const Interval all = block_bootstrap_ratio_95(std::vector<BlockSums>(50, BlockSums{2.0, 2.0}), 500, 1);
  EXPECT_DOUBLE_EQ(all.low, 1.0);
  EXPECT_DOUBLE_EQ(all.high, 1.0);
  EXPECT_TRUE(std::isnan(block_bootstrap_ratio_95({}, 100, 1).low));
}

TEST(AreaMap, HalfLatticeImageIsHalfOrderedAndMapsAreCalibrated) {
  const ImageF img = half_lattice(400, 400, 200);
  const HrtemOptions o = fixed_threshold();
  const HrtemResult r = analyse_hrtem(with_pixel_size(img, kPixelNm), o, "half");
  ASSERT_EQ(r.grid.box_px, 100);
  EXPECT_DOUBLE_EQ(r.fractions.ordered_fraction, 0.5);  // 8 of 16 boxes

  AreaMapOptions ao;
  ao.threads = 2;
  const AreaMap m = compute_area_map(img, r, o, ao, "half");
  EXPECT_EQ(m.stride_px, 25);
  EXPECT_EQ(m.fine_nx, 13);
  EXPECT_EQ(m.fine_boxes, 169);
  EXPECT_EQ(m.reused_boxes, 16);
  EXPECT_EQ(m.clean_boxes, 169);
  EXPECT_DOUBLE_EQ(m.specimen_area_px2, 400.0 * 400.0);
  // Pixel truth 0.5. A fine box is called ordered once a good part of it lies on this strong
  // lattice; it votes ordered only on the cells that hold its fringes, so the boundary lands on
  // the truth: 0.5 measured (0.59 when each ordered box voted ordered on all its pixels).
  EXPECT_NEAR(m.ordered_area_fraction, 0.5, 0.03);
  EXPECT_LE(m.ordered_area_fraction_95.low, m.ordered_area_fraction);
  EXPECT_GE(m.ordered_area_fraction_95.high, m.ordered_area_fraction);
  // Maps on the 25 px grid: 16 x 16, lattice on the left, noise on the right.
  ASSERT_EQ(m.class_map.width, 16);
  ASSERT_EQ(m.class_map.height, 16);
  EXPECT_DOUBLE_EQ(m.map_pixel_nm, 25 * kPixelNm);
  EXPECT_EQ(m.class_map.at(1, 8), 2.f);
  EXPECT_EQ(m.class_map.at(14, 8), 0.f);
  // The fine box at x0 = 0 is centred in map pixel 2: a spot at d = 0.25 nm along x or y.
  EXPECT_NEAR(m.d_spacing_nm.at(2, 2), 0.25, 0.005);
  const float a = m.direction_deg.at(2, 2);
  EXPECT_TRUE(std::fabs(a) < 2 || std::fabs(a - 90) < 2 || std::fabs(a - 180) < 2) << a;
  EXPECT_GT(m.peak_over_threshold.at(2, 2), 1.f);
  EXPECT_LT(m.peak_over_threshold.at(13, 8), 1.f);
  EXPECT_TRUE(std::isnan(m.d_spacing_nm.at(13, 8)));  // noise: no spot
  EXPECT_TRUE(std::isnan(m.peak_over_threshold.at(0, 0)));  // no box is centred within half a box of the edge
}

TEST(AreaMap, LeftOutBoxesLeaveTheFractionsAndTheMaps) {
  const ImageF img = half_lattice(400, 400, 200);
  const HrtemOptions o = fixed_threshold();
  HrtemResult r = analyse_hrtem(with_pixel_size(img, kPixelNm), o, "half");
  for (BoxResult& b : r.boxes)
    if (b.ix == 3) b.region = BoxRegion::vacuum;  // the right column: x in [300, 400)
  const AreaMap m = compute_area_map(img, r, o, AreaMapOptions{}, "half");
  EXPECT_DOUBLE_EQ(m.specimen_area_px2, 300.0 * 400.0);
  // Fine boxes reaching x >= 300 do not vote: x0 in {225, 250, 275, 300} for each of 13 rows.
  EXPECT_EQ(m.clean_boxes, 169 - 4 * 13);
  // As above, but only boxes with x0 <= 200 vote near the left-out column, so fewer clean boxes
  // reach the boundary's right side: the area stays clear of counting the whole voting strip
  // (275 / 300). Measured 0.667, the truth 200 / 300 (the test asked for more than the truth
  // while a box's fringe cells were those over 1.5x the amorphous level alone).
  EXPECT_NEAR(m.ordered_area_fraction, 200.0 / 300.0, 0.03);
  EXPECT_LT(m.ordered_area_fraction, 275.0 / 300.0 - 0.05);
  for (int v = 0; v < 16; ++v)
    for (int u = 12; u < 16; ++u) {
      EXPECT_TRUE(std::isnan(m.class_map.at(u, v))) << u << "," << v;
      EXPECT_TRUE(std::isnan(m.peak_over_threshold.at(u, v))) << u << "," << v;
    }
  EXPECT_FALSE(std::isnan(m.class_map.at(11, 5)));
  // Everything left out: fractions undefined, and said so.
  for (BoxResult& b : r.boxes) b.region = BoxRegion::annotation;
  const AreaMap none = compute_area_map(img, r, o, AreaMapOptions{}, "half");
  EXPECT_TRUE(std::isnan(none.ordered_area_fraction));
  EXPECT_FALSE(none.warnings.empty());
}

TEST(AreaMap, StrideLargerThanTheBoxIsRefused) {
  const ImageF img = half_lattice(200, 200, 100);
  const HrtemOptions o = fixed_threshold();
  const HrtemResult r = analyse_hrtem(with_pixel_size(img, kPixelNm), o, "x");
  AreaMapOptions ao;
  ao.stride_px = 101;
  EXPECT_THROW(compute_area_map(img, r, o, ao, "x"), InputError);
}

namespace {

struct AreaAgainstTruth {
  AreaMap map;
  double box_fraction = 0, pixel_truth = 0;
};

// The image's area map (default settings) and its pixel truth under the box grid.
AreaAgainstTruth area_against_truth(const SynthHrtemOptions& so) {
  const SynthHrtem s = make_synth_hrtem(so);
  ImageF img(s.counts.width, s.counts.height);
  for (std::size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = s.counts.pixels[i];
  HrtemOptions o;
  o.threads = 2;
  const HrtemResult r = analyse_hrtem(with_pixel_size(img, so.pixel_nm), o, "mixed");
  AreaMapOptions ao;
  ao.threads = 2;
  AreaAgainstTruth a{compute_area_map(img, r, o, ao, "mixed"), r.fractions.ordered_fraction, 0};
  const int extent = (r.grid.nx - 1) * r.grid.stride_px + r.grid.box_px;
  long ordered = 0;
  for (int y = 0; y < extent; ++y)
    for (int x = 0; x < extent; ++x) ordered += s.labels.at(x, y) != 0;
  a.pixel_truth = double(ordered) / (double(extent) * extent);
  std::printf("ordered area %.4f [%.4f, %.4f], box %.4f, pixel truth %.4f\n", a.map.ordered_area_fraction,
              a.map.ordered_area_fraction_95.low, a.map.ordered_area_fraction_95.high, a.box_fraction, a.pixel_truth);
  return a;
}

}  // namespace

// Issue 11's target: on mixed glass of 2048 px the area fraction lies within 2 points of the
// pixel truth (the box fraction over-reports sparse order, as boxes partly on a crystal count
// whole), dense order included: with each box voting ordered on its whole area, 30 % order read
// 36-37 % (+6 points), the gaps between close crystals painted ordered from both sides.
class MixedGlassArea : public ::testing::TestWithParam<std::pair<double, std::uint64_t>> {};

TEST_P(MixedGlassArea, AreaFractionMatchesThePixelTruth) {
  SynthHrtemOptions so;
  so.width_px = so.height_px = 2048;
  so.ordered_fraction = GetParam().first;
  so.seed = GetParam().second;
  const AreaAgainstTruth a = area_against_truth(so);
  EXPECT_NEAR(a.map.ordered_area_fraction, a.pixel_truth, 0.02);
  EXPECT_LE(a.map.ordered_area_fraction_95.low, a.pixel_truth);
  EXPECT_GE(a.map.ordered_area_fraction_95.high, a.pixel_truth);
}

INSTANTIATE_TEST_SUITE_P(SparseAndDense, MixedGlassArea,
                         ::testing::Values(std::make_pair(0.10, std::uint64_t(9)),
                                           std::make_pair(0.30, std::uint64_t(42))));

// Strong lattices in crystals about a box across (2-2.5 nm, the box 1.99 nm): while a cell held
// fringes whenever its energy passed 1.5x the amorphous level, the cells such a crystal barely
// touched and those beside it voted ordered, and the area read high. Fringes are coherent, so a
// cell's excess grows as the square of the share the crystal covers; a cell now also needs a fifth
// of the strongest cell's excess. Measured (seeds 3-10): area - truth +0.3 to +0.9 points at 5 and
// 10 % order and +1.3 to +2.7 at 20 % (dense small crystals still lean high); before +1.3 to +3.6
// and +8.6 to +11.0. The parameters: order, seed, tolerance.
class SmallStrongCrystalArea : public ::testing::TestWithParam<std::tuple<double, std::uint64_t, double>> {};

TEST_P(SmallStrongCrystalArea, AreaFractionIsNotWidenedByTheCellsACrystalTouches) {
  SynthHrtemOptions so;
  so.ordered_fraction = std::get<0>(GetParam());
  so.seed = std::get<1>(GetParam());
  so.crystal_diameter_min_nm = so.patch_diameter_min_nm = 2.0;
  so.crystal_diameter_max_nm = so.patch_diameter_max_nm = 2.5;
  so.lattice_amplitude = 1.2;
  so.matrix_inside = 0.2;
  const AreaAgainstTruth a = area_against_truth(so);
  EXPECT_NEAR(a.map.ordered_area_fraction, a.pixel_truth, std::get<2>(GetParam()));
}

// Before, each of these read above its tolerance: +3.3, +3.6, +2.7, +11.0 and +8.6 points.
INSTANTIATE_TEST_SUITE_P(FiveToTwentyPercent, SmallStrongCrystalArea,
                         ::testing::Values(std::make_tuple(0.05, std::uint64_t(9), 0.02),
                                           std::make_tuple(0.10, std::uint64_t(3), 0.02),
                                           std::make_tuple(0.10, std::uint64_t(5), 0.02),
                                           std::make_tuple(0.20, std::uint64_t(4), 0.03),
                                           std::make_tuple(0.20, std::uint64_t(7), 0.03)));

}  // namespace mgscope

namespace mgscope {

// With --fdr the sliding boxes obey the grid's discoveries: when no box of the grid is a
// discovery (white noise), no sliding box is ordered either, even where a sliding box's own
// peak passes the per-box level. A vote share of one box in a hundred makes any ordered sliding
// box show in the area, so the sliding grid's per-box false alarms (about 1 % of ~500 boxes)
// would otherwise give a nonzero area.
TEST(AreaMap, FdrHoldsOnTheSlidingGridToo) {
  const ImageF img = half_lattice(800, 800, 0);  // noise only
  HrtemOptions o = fixed_threshold();
  o.threshold.mode = ThresholdMode::formula;  // ln(M / alpha): exponential speckle, as white noise is
  o.threshold.fixed.reset();
  o.threshold.alpha = 0.05;
  AreaMapOptions ao;
  ao.ordered_vote_share = 0.01;
  o.fdr_q.reset();
  const HrtemResult per_box = analyse_hrtem(with_pixel_size(img, kPixelNm), o, "noise");
  const AreaMap loose = compute_area_map(img, per_box, o, ao, "noise");
  ASSERT_GT(loose.ordered_area_fraction, 0.0) << "the per-box level must let some sliding box through";
  o.fdr_q = 0.01;
  const HrtemResult fdr = analyse_hrtem(with_pixel_size(img, kPixelNm), o, "noise");
  ASSERT_EQ(fdr.fractions.ordered_boxes, 0);
  ASSERT_FALSE(fdr.fdr_level.has_value());
  const AreaMap strict = compute_area_map(img, fdr, o, ao, "noise");
  EXPECT_EQ(strict.ordered_area_fraction, 0.0);
}

}  // namespace mgscope

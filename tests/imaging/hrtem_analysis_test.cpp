// The whole analysis on synthetic images with known truth (imaging/synth_hrtem.hpp).
#include "imaging/hrtem_analysis.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "imaging/synth_hrtem.hpp"
#include "synth_image.hpp"
#include "tests/test_support.hpp"

using mgscope::test::has_warning;

namespace mgscope {

namespace {

using test::as_float;

struct Score {
  double accuracy = 0;       // on boxes >= 70 % one class
  long unambiguous = 0;
  std::array<double, 3> truth_fraction{};  // per pixel over the analysed area
  // Box-majority truth: a box is ordered when more than half of it is (then of the ordered class
  // holding more of it), else amorphous.
  std::array<double, 3> majority_fraction{};
};

Score class_score(const HrtemResult& r, const SynthHrtem& s) {
  Score sc;
  const int n = r.grid.box_px;
  long ok = 0;
  std::array<long, 3> px{};
  long total = 0;
  for (const BoxResult& b : r.boxes) {
    std::array<long, 3> cnt{};
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) cnt[s.labels.at(b.x_px + x, b.y_px + y)]++;
    for (int c = 0; c < 3; ++c) {
      px[std::size_t(c)] += cnt[std::size_t(c)];
      if (cnt[std::size_t(c)] >= 0.7 * n * n) {
        ++sc.unambiguous;
        ok += int(b.cls) == c;
      }
    }
    total += long(n) * n;
    const int majority = 2 * (cnt[1] + cnt[2]) > long(n) * n ? (cnt[2] >= cnt[1] ? 2 : 1) : 0;
    sc.majority_fraction[std::size_t(majority)] += 1.0 / double(r.boxes.size());
  }
  sc.accuracy = double(ok) / double(sc.unambiguous);
  for (int c = 0; c < 3; ++c) sc.truth_fraction[std::size_t(c)] = double(px[std::size_t(c)]) / double(total);
  return sc;
}

}  // namespace

TEST(HrtemAnalysis, PureAmorphousImageHasFewOrderedBoxes) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 4096;  // 1681 boxes: the 1 % false-alarm level is measurable
  o.ordered_fraction = 0;
  o.seed = 11;
  const SynthHrtem s = make_synth_hrtem(o);
  HrtemOptions ho;
  ho.threads = 2;
  const HrtemResult r = analyse_hrtem(with_pixel_size(as_float(s.counts), o.pixel_nm), ho, "amorphous");
  EXPECT_EQ(r.grid.count(), 40 * 40);  // 4096 / 100 = 40 boxes a side, 96 px left out
  EXPECT_LE(r.fractions.ordered_fraction, 0.02);
  // A false spot (1 % of boxes) opens the looser level for a second direction (10 %): ~0.1 %.
  EXPECT_LE(r.fractions.box_fraction[2], 0.005);
  std::printf("pure amorphous: ordered %.4f, nanocrystal %.4f, threshold %.2f (formula %.2f)\n",
              r.fractions.ordered_fraction, r.fractions.box_fraction[2], r.threshold.value, r.threshold.formula_value);
  // Its few ordered boxes are no more than the 1 % false alarms allow (23 of 1600 by chance, 95 %),
  // and the warnings say so.
  ASSERT_GT(r.fractions.ordered_boxes, 0);  // 0.2-0.3 % on such images
  EXPECT_TRUE(has_warning(r, "no more than false alarms can give")) << testing::PrintToString(r.warnings);
  // The calibrated threshold is far above the textbook ln(M / alpha), as science.md warns.
  EXPECT_GT(r.threshold.value, 1.5 * r.threshold.formula_value);
  // The formula alone would call many amorphous boxes ordered (its spots, before the cover test).
  HrtemOptions formula = ho;
  formula.threshold.mode = ThresholdMode::formula;
  formula.rules.min_cover = 0;
  const HrtemResult rf = analyse_hrtem(with_pixel_size(as_float(s.counts), o.pixel_nm), formula, "amorphous");
  EXPECT_GT(rf.fractions.ordered_fraction, 0.1);  // 11.9 % measured: ten times the alpha it claims
}

class MixedImage : public ::testing::TestWithParam<std::pair<double, std::uint64_t>> {};

TEST_P(MixedImage, ClassesAndAreaFractionsMatchTheTruth) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 2048;
  o.ordered_fraction = GetParam().first;
  o.seed = GetParam().second;
  const SynthHrtem s = make_synth_hrtem(o);
  HrtemOptions ho;
  ho.threads = 2;
  const HrtemResult r = analyse_hrtem(with_pixel_size(as_float(s.counts), o.pixel_nm), ho, "mixed");
  const Score sc = class_score(r, s);
  EXPECT_GT(sc.unambiguous, 300);
  EXPECT_GE(sc.accuracy, 0.90);
  const double truth_ordered = sc.majority_fraction[1] + sc.majority_fraction[2];
  // Issue 11: the box fraction within 2 points of the box-majority truth (partly covered boxes
  // used to count whole and over-report sparse order by 2-3.5 points).
  EXPECT_NEAR(r.fractions.ordered_fraction, truth_ordered, 0.02);
  for (int c = 0; c < 3; ++c)
    EXPECT_NEAR(r.fractions.box_fraction[std::size_t(c)], sc.majority_fraction[std::size_t(c)], 0.03)
        << box_class_name(BoxClass(c));
  std::printf("ordered %.4f (box-majority truth %.4f, pixel truth %.4f), accuracy %.4f on %ld boxes; per class "
              "%.4f/%.4f/%.4f vs %.4f/%.4f/%.4f\n",
              r.fractions.ordered_fraction, truth_ordered, sc.truth_fraction[1] + sc.truth_fraction[2], sc.accuracy,
              sc.unambiguous, r.fractions.box_fraction[0], r.fractions.box_fraction[1], r.fractions.box_fraction[2],
              sc.majority_fraction[0], sc.majority_fraction[1], sc.majority_fraction[2]);
  EXPECT_FALSE(r.nanocrystals.empty());
  for (const NanocrystalGroup& g : r.nanocrystals) EXPECT_LT(g.diameter_nm, 12.0);
  EXPECT_FALSE(has_warning(r, "false alarms")) << "16-40 ordered boxes of 400: far above the 8 chance allows";
}

// Ordered boxes up to the 95th percentile of Binomial(boxes, alpha) are no evidence of order.
TEST(HrtemAnalysis, OrderedBoxesWithinTheFalseAlarmsAreSaidToBe) {
  EXPECT_EQ(false_alarm_warning(0, 100, 0.01), "");  // nothing to doubt
  EXPECT_EQ(false_alarm_warning(4, 100, 0.01), "");  // P(X >= 4) = 0.018
  EXPECT_EQ(false_alarm_warning(9, 400, 0.01), "");
  EXPECT_EQ(false_alarm_warning(1, 0, 0.01), "");
  const std::string w = false_alarm_warning(3, 100, 0.01);  // P(X >= 3) = 0.079
  EXPECT_NE(w.find("3 of 100 specimen boxes read ordered (3 %)"), std::string::npos) << w;
  EXPECT_NE(w.find("up to 1 % of boxes without order read ordered: up to 3 of 100 by chance"), std::string::npos) << w;
  EXPECT_NE(false_alarm_warning(8, 400, 0.01), "");
  EXPECT_NE(false_alarm_warning(40, 1000, 0.05), "");  // 5 %: up to 62 of 1000
}

// A number pooling images judges the floor on the pooled boxes: two images of 3 ordered boxes of 100
// are each within it (up to 3), their 6 of 200 are not (up to 5); 5 of 200 are.
TEST(HrtemAnalysis, PooledImagesAreJudgedOnTheirPooledBoxes) {
  const std::vector<std::string> doubts = {"a.tif: " + false_alarm_warning(3, 100, 0.01), "a.tif: vacuum found",
                                           "b.tif: " + false_alarm_warning(3, 100, 0.01)};
  EXPECT_EQ(pooled_false_alarm_doubts(doubts, 6, 200, 0.01, 2), std::vector<std::string>{"a.tif: vacuum found"});
  const std::vector<std::string> within = pooled_false_alarm_doubts(doubts, 5, 200, 0.01, 2);
  ASSERT_EQ(within.size(), 2u);
  EXPECT_EQ(within[0],
            false_alarm_warning(5, 200, 0.01, "these 2 images together show no order above their detection floor"));
  EXPECT_NE(within[0].find("5 of 200 specimen boxes read ordered (2.5 %)"), std::string::npos) << within[0];
  EXPECT_EQ(within[1], "a.tif: vacuum found");
  // Without an image's floor doubt nothing changes (the floor does not apply, or every image is above it).
  const std::vector<std::string> none = {"a.tif: vacuum found"};
  EXPECT_EQ(pooled_false_alarm_doubts(none, 1, 200, 0.01, 2), none);
}

INSTANTIATE_TEST_SUITE_P(AsCastAndTreated, MixedImage,
                         ::testing::Values(std::make_pair(0.04, std::uint64_t(8)),
                                           std::make_pair(0.10, std::uint64_t(9))));

TEST(HrtemAnalysis, ResultsDoNotDependOnTheThreadCount) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 700;
  o.ordered_fraction = 0.1;
  o.seed = 3;
  const ImageF img = as_float(make_synth_hrtem(o).counts);
  HrtemOptions one, many;
  one.threads = 1;
  many.threads = 3;
  const HrtemResult a = analyse_hrtem(with_pixel_size(img, o.pixel_nm), one, "x");
  const HrtemResult b = analyse_hrtem(with_pixel_size(img, o.pixel_nm), many, "x");
  EXPECT_EQ(a.threshold.value, b.threshold.value);
  ASSERT_EQ(a.boxes.size(), b.boxes.size());
  for (std::size_t i = 0; i < a.boxes.size(); ++i) {
    EXPECT_EQ(a.boxes[i].features.max_whitened, b.boxes[i].features.max_whitened);
    EXPECT_EQ(a.boxes[i].features.acf_secondary, b.boxes[i].features.acf_secondary);
    EXPECT_EQ(a.boxes[i].cls, b.boxes[i].cls);
  }
}

TEST(HrtemAnalysis, NullDrawsKeptForABatchGiveEveryImageItsOwnLevelsToTheBit) {
  // The draws depend on the seed alone; each image's null still takes its own spectrum.
  NullDrawCache cache;
  for (std::uint64_t seed : {4u, 5u}) {
    SynthHrtemOptions o;
    o.width_px = o.height_px = 600;
    o.ordered_fraction = 0.05 * double(seed);
    o.ring_d_nm = seed == 4 ? 0.40 : 0.30;  // different spectra: different levels
    o.seed = seed;
    const ImageF img = as_float(make_synth_hrtem(o).counts);
    HrtemOptions fresh, kept;
    kept.threshold.draw_cache = &cache;
    const HrtemResult a = analyse_hrtem(with_pixel_size(img, o.pixel_nm), fresh, "x");
    const HrtemResult b = analyse_hrtem(with_pixel_size(img, o.pixel_nm), kept, "x");
    EXPECT_EQ(a.threshold.value, b.threshold.value) << seed;
    EXPECT_EQ(a.threshold.secondary_value, b.threshold.secondary_value) << seed;
    EXPECT_EQ(a.threshold.null_maxima, b.threshold.null_maxima) << seed;
    std::printf("image %d: level %.6f\n", int(seed), a.threshold.value);
  }
  // Draws of the same seed come back from the cache; beyond its size the caller draws its own.
  const NullDraws* first = cache.find_or_draw(1000, 7);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(cache.find_or_draw(1000, 7), first);
  const NullDraws fresh = draw_null_coefficients(1000, 7);
  EXPECT_EQ(first->modulus, fresh.modulus);
  EXPECT_EQ(first->cos, fresh.cos);
  EXPECT_NE(draw_null_coefficients(1000, 8).sin, fresh.sin);
  NullDrawCache small(5000);
  EXPECT_NE(small.find_or_draw(400, 1), nullptr);   // 4.8 kB
  EXPECT_EQ(small.find_or_draw(400, 2), nullptr);   // would pass 5 kB
  EXPECT_NE(small.find_or_draw(10, 3), nullptr);
}

TEST(AreaFractions, SlidingGridPixelMajority) {
  // 3 x 1 boxes of 4 px with stride 2: cells [0,2) [2,4) [4,6) [6,8) along x.
  BoxGrid g;
  g.box_px = 4;
  g.stride_px = 2;
  g.nx = 3;
  g.ny = 1;
  g.pixel_nm = 0.5;
  const ClassFractions f = class_fractions(g, {BoxClass::amorphous, BoxClass::nanocrystal, BoxClass::nanocrystal});
  // Cell votes: [A], [A,N] tie -> N, [N,N], [N]: 3 of 4 equal cells nanocrystal.
  EXPECT_DOUBLE_EQ(f.pixel_fraction[2], 0.75);
  EXPECT_DOUBLE_EQ(f.box_fraction[2], 2.0 / 3.0);
  const auto groups = nanocrystal_groups(g, {BoxClass::amorphous, BoxClass::nanocrystal, BoxClass::nanocrystal});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_DOUBLE_EQ(groups[0].area_nm2, 6 * 4 * 0.25);  // 6 x 4 px at 0.5 nm
  EXPECT_TRUE(groups[0].touches_border);  // it reaches the right end of the grid: a lower bound
}

// A group inside the field is measured whole; one next to a left-out box is a lower bound.
TEST(AreaFractions, GroupsReachingTheBorderOrALeftOutBoxAreLowerBounds) {
  BoxGrid g;
  g.box_px = 4;
  g.stride_px = 4;
  g.nx = 3;
  g.ny = 3;
  g.pixel_nm = 0.5;
  std::vector<BoxClass> cls(9, BoxClass::amorphous);
  cls[4] = BoxClass::nanocrystal;  // the centre box
  auto groups = nanocrystal_groups(g, cls);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_FALSE(groups[0].touches_border);
  std::vector<std::uint8_t> counted(9, 1);
  counted[5] = 0;  // its right neighbour is vacuum
  groups = nanocrystal_groups(g, cls, counted);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_TRUE(groups[0].touches_border);
}

}  // namespace mgscope

// The analysis on synthetic micrographs with what real ones add (vacuum behind a Fresnel-fringed
// edge, a burned-in scale bar, an illumination ramp, low dose), scored against the label map.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>

#include "imaging/hrtem_analysis.hpp"
#include "imaging/synth_hrtem.hpp"
#include "imaging/synth_nuisances.hpp"

namespace mgscope {

namespace {

ImageF as_float(const Image<std::uint16_t>& counts) {
  ImageF f(counts.width, counts.height);
  for (std::size_t i = 0; i < f.pixels.size(); ++i) f.pixels[i] = counts.pixels[i];
  return f;
}

struct EdgeScore {
  long vacuum_boxes = 0, vacuum_kept = 0;          // half or more vacuum; of them counted as specimen
  long annotation_boxes = 0, annotation_kept = 0;  // touching an annotation pixel
  long near_edge = 0, near_edge_ordered = 0;       // amorphous specimen boxes within one box of vacuum
  long specimen = 0, specimen_ordered = 0;         // boxes counted as specimen; of them called ordered
  long majority_ordered = 0;                       // counted boxes more than half ordered (truth)
};

EdgeScore score(const HrtemResult& r, const SynthHrtem& s) {
  EdgeScore sc;
  const int n = r.grid.box_px;
  const Image<std::uint8_t>& lab = s.labels;
  for (const BoxResult& b : r.boxes) {
    std::array<long, 5> cnt{};
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) cnt[lab.at(b.x_px + x, b.y_px + y)]++;
    const bool kept = b.region == BoxRegion::specimen;
    const bool ordered = kept && b.cls != BoxClass::amorphous;
    if (2 * cnt[kSynthLabelVacuum] >= long(n) * n) {
      ++sc.vacuum_boxes;
      sc.vacuum_kept += kept;
    }
    if (cnt[kSynthLabelAnnotation]) {
      ++sc.annotation_boxes;
      sc.annotation_kept += kept;
    }
    if (kept) {
      ++sc.specimen;
      sc.specimen_ordered += ordered;
      sc.majority_ordered += 2 * (cnt[1] + cnt[2]) > long(n) * n;
    }
    // Amorphous specimen (no order, mostly specimen) with vacuum within one box side.
    if (cnt[1] + cnt[2] == 0 && 2 * cnt[kSynthLabelVacuum] < long(n) * n) {
      bool near = false;
      for (int y = std::max(0, b.y_px - n); y < std::min(lab.height, b.y_px + 2 * n) && !near; ++y)
        for (int x = std::max(0, b.x_px - n); x < std::min(lab.width, b.x_px + 2 * n) && !near; ++x)
          near = lab.at(x, y) == kSynthLabelVacuum;
      if (near) {
        ++sc.near_edge;
        sc.near_edge_ordered += ordered;
      }
    }
  }
  return sc;
}

void print(const char* what, const HrtemResult& r, const EdgeScore& sc) {
  std::printf("%s: vacuum boxes %ld (kept %ld), annotation boxes %ld (kept %ld), near-edge amorphous %ld "
              "(ordered %ld), specimen %ld: ordered %.4f vs majority truth %.4f; regions s/v/a/e %ld/%ld/%ld/%ld; "
              "threshold %.2f; vacuum R %.2f vs %.2f\n",
              what, sc.vacuum_boxes, sc.vacuum_kept, sc.annotation_boxes, sc.annotation_kept, sc.near_edge,
              sc.near_edge_ordered, sc.specimen, double(sc.specimen_ordered) / double(std::max(1L, sc.specimen)),
              double(sc.majority_ordered) / double(std::max(1L, sc.specimen)), r.region_counts[0], r.region_counts[1],
              r.region_counts[2], r.region_counts[3], r.threshold.value, r.mask.vacuum_ratio, r.mask.specimen_ratio);
}

SynthHrtemOptions micrograph(int side, double ordered, double dose, std::uint64_t seed) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = side;
  o.ordered_fraction = ordered;
  o.vacuum_fraction = 0.3;
  o.illumination_ramp = 0.3;
  o.scale_bar_nm = 5;
  o.dose_counts = dose;
  o.seed = seed;
  return o;
}

}  // namespace

class AmorphousWithVacuum : public ::testing::TestWithParam<std::pair<double, std::uint64_t>> {};

TEST_P(AmorphousWithVacuum, VacuumEdgeAndScaleBarStayOutOfTheFractions) {
  const SynthHrtemOptions o = micrograph(2048, 0.0, GetParam().first, GetParam().second);
  const SynthHrtem s = make_synth_hrtem(o);
  HrtemOptions ho;
  ho.threads = 2;
  const HrtemResult r = analyse_hrtem(as_float(s.counts), o.pixel_nm, ho, "edge");
  const EdgeScore sc = score(r, s);
  print("amorphous + vacuum + bar", r, sc);
  ASSERT_GT(sc.vacuum_boxes, 50);
  ASSERT_GT(sc.annotation_boxes, 0);
  ASSERT_GT(sc.near_edge, 20);
  EXPECT_LE(double(sc.vacuum_kept), 0.05 * double(sc.vacuum_boxes));
  EXPECT_EQ(sc.annotation_kept, 0);
  EXPECT_LE(double(sc.near_edge_ordered), 0.05 * double(sc.near_edge));
  EXPECT_LE(double(sc.specimen_ordered), 0.02 * double(sc.specimen));
  EXPECT_GT(double(sc.specimen), 0.5 * double(r.boxes.size()));  // the specimen itself is kept
}

// Normal dose and low dose (100 counts per pixel: the specimen band only a few times the noise).
INSTANTIATE_TEST_SUITE_P(Dose, AmorphousWithVacuum,
                         ::testing::Values(std::make_pair(400.0, std::uint64_t(31)),
                                           std::make_pair(100.0, std::uint64_t(32))));

class MixedWithVacuum : public ::testing::TestWithParam<std::pair<double, std::uint64_t>> {};

TEST_P(MixedWithVacuum, OrderedFractionOverSpecimenBoxesMatchesTheBoxMajority) {
  const SynthHrtemOptions o = micrograph(2048, GetParam().first, 400, GetParam().second);
  const SynthHrtem s = make_synth_hrtem(o);
  HrtemOptions ho;
  ho.threads = 2;
  const HrtemResult r = analyse_hrtem(as_float(s.counts), o.pixel_nm, ho, "mixed");
  const EdgeScore sc = score(r, s);
  print("mixed + vacuum + bar", r, sc);
  const double measured = double(sc.specimen_ordered) / double(sc.specimen);
  const double truth = double(sc.majority_ordered) / double(sc.specimen);
  EXPECT_NEAR(measured, truth, 0.02);
  EXPECT_NEAR(r.fractions.ordered_fraction, measured, 1e-12);  // the fractions are over specimen boxes
  EXPECT_LE(double(sc.vacuum_kept), 0.05 * double(sc.vacuum_boxes));
  EXPECT_EQ(sc.annotation_kept, 0);
}

INSTANTIATE_TEST_SUITE_P(Sparse, MixedWithVacuum,
                         ::testing::Values(std::make_pair(0.04, std::uint64_t(41)),
                                           std::make_pair(0.10, std::uint64_t(42))));

}  // namespace mgscope

// The analysis on synthetic micrographs with what real ones add (vacuum behind a Fresnel-fringed
// edge, a burned-in scale bar, an illumination ramp, low dose), scored against the label map.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "fitting/base/core_lending.hpp"
#include "imaging/box_features.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "imaging/specimen_mask.hpp"
#include "imaging/synth_hrtem.hpp"
#include "imaging/synth_nuisances.hpp"
#include "synth_image.hpp"

namespace mgscope {

namespace {

using test::as_float;

struct EdgeScore {
  long vacuum_boxes = 0, vacuum_kept = 0;          // half or more vacuum; of them counted as specimen
  long annotation_boxes = 0, annotation_kept = 0;  // touching an annotation pixel
  long near_edge = 0, near_edge_ordered = 0;       // amorphous specimen boxes within one box of vacuum
  long specimen = 0, specimen_ordered = 0;         // boxes counted as specimen; of them called ordered
  long majority_ordered = 0;                       // counted boxes more than half ordered (truth)
};

EdgeScore edge_score(const HrtemResult& r, const SynthHrtem& s) {
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
  const HrtemResult r = analyse_hrtem(with_pixel_size(as_float(s.counts), o.pixel_nm), ho, "edge");
  const EdgeScore sc = edge_score(r, s);
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

// A wedge-shaped edge: the foil's contrast rises from nothing at the hole over 10 nm, so the
// band-to-noise ratios fill the gap between vacuum and specimen. The vacuum had not been found (the
// low group of ratios was not tight), and the edge's Fresnel fringes read as order: 16.75 % of
// boxes on pure glass, with no warning (a probe's images; 3.75 % here, vacuum counted as glass).
// The floor is now split off the low group, and fringes count as the edge's within two boxes of it.
TEST(SpecimenMask, AWedgeShapedEdgeIsFoundAndItsFringesAreNoOrder) {
  SynthHrtemOptions o = micrograph(2048, 0.0, 400, 81);
  o.thin_edge_nm = 10;
  o.scale_bar_nm = 0;
  o.illumination_ramp = 0;
  const SynthHrtem s = make_synth_hrtem(o);
  HrtemOptions ho;
  ho.threads = 2;
  const HrtemResult r = analyse_hrtem(with_pixel_size(as_float(s.counts), o.pixel_nm), ho, "wedge");
  const EdgeScore sc = edge_score(r, s);
  print("amorphous + wedge", r, sc);
  EXPECT_TRUE(r.mask.vacuum_found);
  EXPECT_LE(double(sc.vacuum_kept), 0.1 * double(sc.vacuum_boxes));
  EXPECT_LE(double(sc.specimen_ordered), 0.02 * double(sc.specimen));
  EXPECT_GT(double(sc.specimen), 0.5 * double(r.boxes.size()));
  // The vacuum given as the user's mask instead (the search off): the fringes beside it are the
  // edge's too (on a probe's image with order and stronger fringes on the specimen side: 16.3 %
  // ordered against 8.8 % before, 10.1 % now; this generator's fringes pass either way).
  BitPlane vacuum(s.labels.width, s.labels.height);
  for (int y = 0; y < s.labels.height; ++y)
    for (int x = 0; x < s.labels.width; ++x)
      if (s.labels.at(x, y) == kSynthLabelVacuum) vacuum.set(x, y);
  ho.mask.find_vacuum = false;
  ho.mask.user_mask = &vacuum;
  const HrtemResult masked = analyse_hrtem(with_pixel_size(as_float(s.counts), o.pixel_nm), ho, "wedge, masked");
  const EdgeScore msc = edge_score(masked, s);
  print("amorphous + wedge, vacuum masked by the user", masked, msc);
  EXPECT_LE(double(msc.specimen_ordered), 0.02 * double(msc.specimen));
}

// Amorphous glass without order, 1024^2 at the default pixel size.
static SynthHrtemOptions glass_1024(std::uint64_t seed) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 1024;
  o.ordered_fraction = 0;
  o.seed = seed;
  return o;
}

// A strong crystal over the right half of an amorphous glass: the glass (R ~ 55) is a tight group far
// below the crystal (R ~ 220) and had been cut away as vacuum, the crystal then reported as 98 % of the
// "specimen". A group far above shot noise's R is kept as specimen now, and a warning says why.
TEST(SpecimenMask, AWellScatteringGlassBesideACrystalIsNotVacuum) {
  const SynthHrtemOptions o = glass_1024(61);
  SynthHrtem s = make_synth_hrtem(o);
  const double d_px = 0.25 / o.pixel_nm;
  for (int y = 0; y < s.counts.height; ++y)
    for (int x = s.counts.width / 2; x < s.counts.width; ++x) {
      const double lattice = std::cos(2 * M_PI * x / d_px) + std::cos(2 * M_PI * (0.5 * x + 0.866 * y) / d_px);
      s.counts.at(x, y) = std::uint16_t(std::clamp(s.counts.at(x, y) + 150 * lattice, 0.0, 65535.0));
    }
  HrtemOptions ho;
  ho.threads = 2;
  const HrtemResult r = analyse_hrtem(with_pixel_size(as_float(s.counts), o.pixel_nm), ho, "half crystal");
  std::printf("half crystal: R %.3g against %.3g; ordered %.3f of %ld boxes\n", r.mask.vacuum_ratio,
              r.mask.specimen_ratio, r.fractions.ordered_fraction, r.fractions.boxes);
  EXPECT_FALSE(r.mask.vacuum_found);
  EXPECT_GT(r.mask.vacuum_ratio, kMaxVacuumRatio);  // the split was there: a weaker group, not noise
  EXPECT_EQ(r.region_counts[std::size_t(BoxRegion::vacuum)], 0);
  EXPECT_EQ(r.fractions.boxes, long(r.boxes.size()));
  EXPECT_NEAR(r.fractions.ordered_fraction, 0.5, 0.15);
  EXPECT_TRUE(std::any_of(r.warnings.begin(), r.warnings.end(), [](const std::string& w) {
    return w.find("was not taken for vacuum: its ratio is far above shot noise's") != std::string::npos;
  }));
}

// At 5 counts a pixel a vacuum's R and the glass's are alike (no vacuum found where 30 % is vacuum)
// and weak order stays under the spot level: said in a warning. At 400 counts nothing is said.
TEST(SpecimenMask, AnImageNearItsNoiseLevelIsWarnedOf) {
  auto warned = [](const HrtemResult& r) {
    return std::any_of(r.warnings.begin(), r.warnings.end(), [](const std::string& w) {
      return w.find("the image's contrast is near its noise level") != std::string::npos;
    });
  };
  HrtemOptions ho;
  ho.threads = 2;
  for (const double dose : {5.0, 400.0}) {
    SynthHrtemOptions o;
    o.width_px = o.height_px = 1024;
    o.ordered_fraction = 0.08;
    o.vacuum_fraction = 0.3;
    o.dose_counts = dose;
    o.seed = 41;
    const SynthHrtem s = make_synth_hrtem(o);
    const HrtemResult r = analyse_hrtem(with_pixel_size(as_float(s.counts), o.pixel_nm), ho, "dose");
    std::printf("dose %g: median R %.3g\n", dose, r.mask.median_ratio);
    EXPECT_EQ(warned(r), dose < 10) << "dose " << dose << ", median R " << r.mask.median_ratio;
  }
}

// An amorphous image clipped 10 % at each end into 8 bits: its flat grains at 0 and 255 are taken
// for burned-in shapes by the hundred and every box is left out. The warning now says that so many
// shapes look like a clipped export and names --no-annotations.
TEST(SpecimenMask, AHeavilyClippedExportIsNamedAsSuch) {
  const SynthHrtemOptions o = glass_1024(62);
  SynthHrtem s = make_synth_hrtem(o);
  std::vector<std::uint16_t> sorted = s.counts.pixels;
  std::sort(sorted.begin(), sorted.end());
  const double lo = sorted[sorted.size() / 10], hi = sorted[sorted.size() * 9 / 10];
  for (std::uint16_t& v : s.counts.pixels)
    v = std::uint16_t(std::lround(255 * std::clamp((v - lo) / (hi - lo), 0.0, 1.0)));
  HrtemOptions ho;
  ho.threads = 2;
  const HrtemResult r = analyse_hrtem(with_pixel_size(as_float(s.counts), o.pixel_nm), ho, "clipped");
  // Its grains had been taken for labels: every box but a few left out, "ordered 100 %" of those.
  // They are dropped now, and the image analysed whole, as with --no-annotations.
  EXPECT_EQ(r.mask.annotation_shapes, 0);
  EXPECT_NE(r.mask.annotations_refused.find("look like a contrast-stretched (clipped) export, not burned-in labels: "
                                            "they were analysed as specimen"),
            std::string::npos)
      << r.mask.annotations_refused;
  EXPECT_TRUE(std::find(r.warnings.begin(), r.warnings.end(), r.mask.annotations_refused) != r.warnings.end());
  EXPECT_EQ(r.fractions.boxes, long(r.boxes.size()));
  EXPECT_LE(r.fractions.ordered_fraction, 0.03);
}

// Normal dose and low dose (100 counts per pixel: the specimen band only a few times the noise).
INSTANTIATE_TEST_SUITE_P(Dose, AmorphousWithVacuum,
                         ::testing::Values(std::make_pair(400.0, std::uint64_t(31)),
                                           std::make_pair(100.0, std::uint64_t(32))));

// The real carbon image in synthetic form: 512 px at 0.0555 nm/px (boxes of 36 px, so
// half-box vacuum probes of 18 px and a specimen band reaching near Nyquist), a third vacuum.
TEST(AmorphousWithVacuumCoarse, SmallBoxesStillKeepVacuumAndEdgesOut) {
  SynthHrtemOptions o = micrograph(512, 0.0, 400, 5);
  o.pixel_nm = 0.0555;
  o.vacuum_fraction = 0.33;
  o.illumination_ramp = 0.2;
  const SynthHrtem s = make_synth_hrtem(o);
  HrtemOptions ho;
  ho.threads = 2;
  const HrtemResult r = analyse_hrtem(with_pixel_size(as_float(s.counts), o.pixel_nm), ho, "coarse");
  const EdgeScore sc = edge_score(r, s);
  print("coarse 512 px", r, sc);
  ASSERT_EQ(r.grid.box_px, 36);
  ASSERT_GT(sc.vacuum_boxes, 40);
  ASSERT_GT(sc.near_edge, 15);
  EXPECT_LE(double(sc.vacuum_kept), 0.05 * double(sc.vacuum_boxes));
  EXPECT_EQ(sc.annotation_kept, 0);
  EXPECT_LE(double(sc.near_edge_ordered), 0.05 * double(sc.near_edge));
  EXPECT_LE(double(sc.specimen_ordered), 0.02 * double(sc.specimen));
}

class MixedWithVacuum : public ::testing::TestWithParam<std::pair<double, std::uint64_t>> {};

TEST_P(MixedWithVacuum, OrderedFractionOverSpecimenBoxesMatchesTheBoxMajority) {
  const SynthHrtemOptions o = micrograph(2048, GetParam().first, 400, GetParam().second);
  const SynthHrtem s = make_synth_hrtem(o);
  HrtemOptions ho;
  ho.threads = 2;
  const HrtemResult r = analyse_hrtem(with_pixel_size(as_float(s.counts), o.pixel_nm), ho, "mixed");
  const EdgeScore sc = edge_score(r, s);
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

// The null's spectrum comes from crops the mask leaves clean. A 2000 px image has one 1024 px tile,
// and turned by 180 degrees the vacuum (now on the left) and the scale bar (top right) leave no
// tile clean, though most of the image is: a clean crop between the tiles stands in, and the level
// is that of the same glass without vacuum and bar (the seed-to-seed spread of a level is sd 0.7).
// Before, the touched tile was weighted to the specimen, which put the level 1.5-2.4 lower on such
// images (17.5-18.4 against 19.3-20.1), and so more amorphous boxes above it.
TEST(NullCalibration, AMaskTouchingEveryTileIsCalibratedOnACleanCropBetweenThem) {
  SynthHrtemOptions o = micrograph(2000, 0.0, 400, 26);
  HrtemOptions ho;
  ho.threads = 2;
  ImageF turned = as_float(make_synth_hrtem(o).counts);
  std::reverse(turned.pixels.begin(), turned.pixels.end());
  const HrtemResult r = analyse_hrtem(with_pixel_size(std::move(turned), o.pixel_nm), ho, "turned");
  o.vacuum_fraction = 0;
  o.scale_bar_nm = 0;
  const HrtemResult clean =
      analyse_hrtem(with_pixel_size(as_float(make_synth_hrtem(o).counts), o.pixel_nm), ho, "clean");
  std::printf("turned: level %.2f (%s); without vacuum and bar %.2f\n", r.threshold.value,
              r.threshold.description.c_str(), clean.threshold.value);
  ASSERT_TRUE(r.mask.vacuum_found);
  EXPECT_NE(r.threshold.description.find("(1 crop(s) free of vacuum, annotations and masked areas)"), std::string::npos)
      << r.threshold.description;
  EXPECT_NEAR(r.threshold.value, clean.threshold.value, 1.0);
}


// Boxes near a specimen edge: a step of 3 noise sd to the bright vacuum with Fresnel fringes
// (local period 0.55 -> 0.25 nm, all inside d_min..d_max), white noise, no order. The fringes
// look like a lattice fringe set with q along the edge normal; given the normal (from the vacuum
// mask), no maximum along it counts, and the step's own streak is caught by the streak test.
TEST(EdgeFringes, FringesParallelToTheEdgeAreNotSpots) {
  const double pixel_nm = 0.0199;
  const int side = 400, n = 100;
  ImageF signal(side, side, 0.f);
  Image<std::uint8_t> labels(side, side, 0);
  apply_specimen_edge(signal, labels, pixel_nm, SpecimenEdge(side * pixel_nm, side * pixel_nm, 0.5), EdgeLook{});
  std::mt19937_64 rng(7);
  std::normal_distribution<float> noise(0.f, 0.3f);
  for (float& v : signal.pixels) v += noise(rng);
  SpecimenMask mask;
  mask.vacuum_found = true;
  // Vacuum per pixel: cells of 1 px.
  mask.width = mask.height = side;
  mask.cell_px = 1;
  mask.cells_x = mask.cells_y = side;
  mask.vacuum_cells.assign(labels.pixels.size(), 0);
  for (std::size_t i = 0; i < labels.pixels.size(); ++i)
    if (labels.pixels[i] == kSynthLabelVacuum) mask.vacuum_cells[i] = 1;
  SpotOptions so;
  const SpectrumGeometry g(n, n, pixel_nm, so);
  BoxTransformer box(n, WindowKind::hann, AcfMode::circular);
  BoxMeasurer m(g);
  const double level = std::log(g.search_pixels() / 0.01);  // ln(M / alpha)
  int boxes = 0, spotted_blind = 0, spotted = 0, streaks = 0;
  for (int y0 = 0; y0 + n <= side; y0 += n / 2)
    for (int x0 = 0; x0 + n <= side; x0 += n / 2) {
      long vac = 0;
      for (int y = y0; y < y0 + n; ++y)
        for (int x = x0; x < x0 + n; ++x) vac += labels.at(x, y) == kSynthLabelVacuum;
      if (vac < long(n) * n / 10 || vac > long(n) * n * 9 / 10) continue;  // boxes across the edge only
      ++boxes;
      ASSERT_TRUE(box.transform(signal, x0, y0));
      const BoxFeatures blind = m.measure(box, level, level);
      spotted_blind += blind.pairs > 0;
      streaks += blind.streaks > 0;
      const std::optional<double> normal = edge_normal_deg(mask, x0, y0, n, n);
      ASSERT_TRUE(normal.has_value());
      spotted += m.measure(box, level, level, normal).pairs > 0;
    }
  std::printf("edge boxes %d: %d with spots not knowing the edge (%d with streaks rejected), %d knowing it\n", boxes,
              spotted_blind, streaks, spotted);
  ASSERT_GE(boxes, 6);
  EXPECT_GE(spotted_blind, boxes / 2);  // the nuisance is real
  EXPECT_GE(streaks, boxes / 2);
  EXPECT_EQ(spotted, 0);
  // A lattice next to the edge with fringes across it (q along the edge) keeps its spots.
  const ImageF lattice = make_lattice_image(n, n, pixel_nm, {0.25}, {90});
  ASSERT_TRUE(box.transform(lattice, 0, 0));
  EXPECT_GE(m.measure(box, level, level, 0.0).pairs, 1);
  EXPECT_EQ(m.measure(box, level, level, 90.0).pairs, 0);
}

// The edge normal from vacuum cells, counted per cell in closed form, is the direction the
// samples give one by one (every box_px/25-th pixel within reach of the box), to the last bit:
// odd cell sides, a last cell wider than the others, boxes at the border and reaching past it.
TEST(EdgeFringes, TheEdgeNormalIsTheSampledVacuumCentroidsDirection) {
  std::mt19937 rng(7);
  int compared = 0, empty = 0;
  for (const int cell_px : {1, 7, 50, 64}) {
    SpecimenMask mask;
    mask.width = 613;
    mask.height = 577;
    mask.cell_px = cell_px;
    mask.cells_x = std::max(1, mask.width / cell_px);
    mask.cells_y = std::max(1, mask.height / cell_px);
    mask.vacuum_found = true;
    mask.vacuum_cells.resize(std::size_t(mask.cells_x) * std::size_t(mask.cells_y));
    // A curved vacuum region on the right, and some isolated cells.
    for (int cy = 0; cy < mask.cells_y; ++cy)
      for (int cx = 0; cx < mask.cells_x; ++cx) {
        const double x = (cx + 0.5) / mask.cells_x, y = (cy + 0.5) / mask.cells_y;
        mask.vacuum_cells[std::size_t(cy) * std::size_t(mask.cells_x) + std::size_t(cx)] =
            x > 0.7 + 0.1 * std::sin(6 * y) || rng() % 23 == 0;
      }
    for (const int box_px : {25, 60, 100, 127}) {
      for (int trial = 0; trial < 40; ++trial) {
        const int x0 = int(rng() % unsigned(mask.width - box_px + 1)),
                  y0 = int(rng() % unsigned(mask.height - box_px + 1));
        const int reach = 2 * box_px;
        const int ex0 = std::max(0, x0 - reach), ey0 = std::max(0, y0 - reach);
        const int ex1 = std::min(mask.width, x0 + box_px + reach), ey1 = std::min(mask.height, y0 + box_px + reach);
        const int step = std::max(1, box_px / 25);
        const double cx = x0 + 0.5 * (box_px - 1), cy = y0 + 0.5 * (box_px - 1);
        double sx = 0, sy = 0;
        long count = 0;
        for (int y = ey0; y < ey1; y += step)
          for (int x = ex0; x < ex1; x += step)
            if (mask.vacuum_at(x, y)) {
              sx += x - cx;
              sy += y - cy;
              ++count;
            }
        const std::optional<double> normal = edge_normal_deg(mask, x0, y0, box_px, reach);
        if (!count || (sx == 0 && sy == 0)) {
          EXPECT_FALSE(normal.has_value());
          ++empty;
          continue;
        }
        double a = std::atan2(-sy, sx) * 180.0 / 3.14159265358979323846;
        if (a < 0) a += 180.0;
        if (a >= 180.0) a -= 180.0;
        ASSERT_TRUE(normal.has_value()) << cell_px << " " << box_px << " " << x0 << " " << y0;
        EXPECT_EQ(*normal, a) << cell_px << " " << box_px << " " << x0 << " " << y0;
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 500);
  std::printf("%d normals compared, %d boxes with no vacuum within reach\n", compared, empty);
}

// A row of flags read at once (vacuum cells as spans, then the bit planes) is at() pixel by pixel:
// cells of odd side, a last cell wider than the others, rows starting anywhere.
TEST(SpecimenMask, AFlaggedRowIsEveryPixelsFlags) {
  std::mt19937 rng(3);
  SpecimenMask mask;
  mask.width = 301;
  mask.height = 170;
  mask.cell_px = 23;
  mask.cells_x = mask.width / mask.cell_px;  // the last cell is 301 - 12 * 23 = 25 px wide
  mask.cells_y = mask.height / mask.cell_px;
  mask.vacuum_cells.resize(std::size_t(mask.cells_x) * std::size_t(mask.cells_y));
  for (auto& c : mask.vacuum_cells) c = rng() % 3 == 0;
  mask.annotation = BitPlane(mask.width, mask.height);
  mask.user = BitPlane(mask.width, mask.height);
  for (int k = 0; k < 2000; ++k) {
    mask.annotation.set(int(rng() % 301u), int(rng() % 170u));
    mask.user.set(int(rng() % 301u), int(rng() % 170u));
  }
  long flagged = 0;
  std::vector<std::uint8_t> row(301);
  for (int y = 0; y < mask.height; ++y)
    for (const int x0 : {0, 1, 22, 23, 150, 276}) {
      const int n = mask.width - x0 - int(rng() % 3u);
      mask.flagged_row(x0, y, n, row.data());
      for (int i = 0; i < n; ++i) {
        ASSERT_EQ(row[std::size_t(i)], mask.at(x0 + i, y) ? 1 : 0) << x0 + i << "," << y;
        flagged += row[std::size_t(i)];
      }
    }
  EXPECT_GT(flagged, 50000);
  mask.vacuum_cells.clear();  // no vacuum: the bit planes alone
  mask.flagged_row(5, 7, 200, row.data());
  for (int i = 0; i < 200; ++i) ASSERT_EQ(row[std::size_t(i)], mask.at(5 + i, 7) ? 1 : 0);
}

// A plane (illumination ramp) under a lattice changes nothing: it is removed before the window.
TEST(BoxTransform, PlaneIsRemovedBeforeTheWindow) {
  const double pixel_nm = 0.0199;
  const int n = 100;
  const ImageF lattice = make_lattice_image(n, n, pixel_nm, {0.25}, {30});
  ImageF ramped = lattice;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) ramped.at(x, y) += 1000.f + 0.7f * float(x) - 0.4f * float(y);
  BoxTransformer a(n, WindowKind::hann, AcfMode::circular), b(n, WindowKind::hann, AcfMode::circular);
  ASSERT_TRUE(a.transform(lattice, 0, 0));
  ASSERT_TRUE(b.transform(ramped, 0, 0));
  float peak = 0;
  for (int i = 0; i < n * (n / 2 + 1); ++i) peak = std::max(peak, a.power()[i]);
  for (int i = 0; i < n * (n / 2 + 1); ++i) EXPECT_NEAR(b.power()[i], a.power()[i], 1e-5 * peak) << i;
  for (int i = 0; i < n * n; ++i) EXPECT_NEAR(b.normalised()[i], a.normalised()[i], 2e-3) << i;
}

// The cover of a lattice filling the box is near 1; of one filling a quarter of it, near 1/4.
TEST(SpotCover, FollowsTheShareOfTheBoxTheFringesFill) {
  const double pixel_nm = 0.0199;
  const int n = 100;
  const ImageF lattice = make_lattice_image(n, n, pixel_nm, {0.25}, {30});
  std::mt19937_64 rng(3);
  std::normal_distribution<float> noise(0.f, 0.5f);
  ImageF full = lattice, quarter = lattice;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      const float e = noise(rng);
      full.at(x, y) += e;
      quarter.at(x, y) = (x < n / 2 && y < n / 2 ? lattice.at(x, y) : 0.f) + e;
    }
  SpotOptions so;
  const SpectrumGeometry g(n, n, pixel_nm, so);
  BoxTransformer box(n, WindowKind::hann, AcfMode::circular);
  BoxMeasurer m(g);
  ASSERT_TRUE(box.transform(full, 0, 0));
  const BoxFeatures ff = m.measure(box, 10, 10);
  ASSERT_GE(ff.pairs, 1);
  EXPECT_GT(ff.cover, 0.8);
  ASSERT_TRUE(box.transform(quarter, 0, 0));
  const BoxFeatures fq = m.measure(box, 10, 10);
  ASSERT_GE(fq.pairs, 1);
  EXPECT_NEAR(fq.cover, 0.25, 0.12);
  // The fringe cells (what the area map votes with) are the 16 cells of the full lattice and the
  // 4 top-left cells of the quarter one (bit 4 row + column).
  EXPECT_EQ(ff.fringe_cells, 0xFFFF);
  EXPECT_EQ(fq.fringe_cells, 0x0033);
  // A 2-D lattice (two fringe sets) over the same quarter: its cells from both directions together.
  const ImageF crossed = make_lattice_image(n, n, pixel_nm, {0.25, 0.25}, {30, 120});
  ImageF crossed_quarter = crossed;
  std::mt19937_64 rng2(4);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      crossed_quarter.at(x, y) = (x < n / 2 && y < n / 2 ? crossed.at(x, y) : 0.f) + noise(rng2);
  ASSERT_TRUE(box.transform(crossed_quarter, 0, 0));
  const BoxFeatures fc = m.measure(box, 10, 10);
  EXPECT_EQ(fc.directions, 2);
  EXPECT_EQ(fc.fringe_cells, 0x0033);
  ClassRules rules;
  EXPECT_NE(classify_box(ff, rules), BoxClass::amorphous);
  EXPECT_EQ(classify_box(fq, rules), BoxClass::amorphous);  // a box is ordered when more than half of it is
}

// Saturated text and bars are found and widened; the user's mask and ROI leave boxes out.
TEST(SpecimenMask, AnnotationsUserMaskAndRoi) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 600;
  o.scale_bar_nm = 3;
  o.seed = 12;
  const SynthHrtem s = make_synth_hrtem(o);
  const ImageF img = as_float(s.counts);
  MaskOptions mo;
  mo.find_vacuum = false;
  SpecimenMask m = find_specimen_mask(img, o.pixel_nm, 50, mo);
  EXPECT_GE(m.annotation_shapes, 2);  // the bar and at least one glyph
  long missed = 0;
  for (std::size_t i = 0; i < s.labels.pixels.size(); ++i)
    missed += s.labels.pixels[i] == kSynthLabelAnnotation && !(m.at(int(i % 600), int(i / 600)) & kMaskAnnotation);
  EXPECT_EQ(missed, 0);
  // Nothing else: the mask is the annotation pixels widened by at most the 2 px rim.
  EXPECT_LT(m.annotation_px, 4 * long(s.annotation_fraction * 600 * 600) + 400);
  EXPECT_EQ(region_of_box(m, 0, 500, 100, 25), BoxRegion::annotation);
  EXPECT_EQ(region_of_box(m, 300, 0, 100, 25), BoxRegion::specimen);

  BitPlane user(600, 600);
  user.set(450, 150);
  mo.user_mask = &user;
  mo.roi_px = std::array<int, 4>{0, 0, 600, 400};
  m = find_specimen_mask(img, o.pixel_nm, 50, mo);
  EXPECT_EQ(region_of_box(m, 400, 100, 100, 25), BoxRegion::user_excluded);  // holds the masked pixel
  EXPECT_EQ(region_of_box(m, 300, 100, 100, 25), BoxRegion::specimen);
  EXPECT_EQ(region_of_box(m, 300, 350, 100, 25), BoxRegion::user_excluded);  // reaches outside the ROI
}

// A contrast-stretched 8-bit export clips about 1 % of its pixels at 0 and 255 in blobs over the
// specimen: those fade into their surroundings and stay in; a burned-in bar at 255 is found.
TEST(SpecimenMask, ClippedBlobsOfAStretchedExportAreNoAnnotation) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 600;
  o.seed = 15;
  o.dose_counts = 0;  // smooth contrast, as after the export's own filtering
  o.ordered_fraction = 0.1;
  const SynthHrtem s = make_synth_hrtem(o);
  std::vector<float> sorted(s.counts.pixels.begin(), s.counts.pixels.end());
  std::sort(sorted.begin(), sorted.end());
  const float lo = sorted[sorted.size() / 100], hi = sorted[sorted.size() * 99 / 100];
  ImageF img(600, 600);
  for (std::size_t i = 0; i < img.pixels.size(); ++i)
    img.pixels[i] = std::round(std::clamp((s.counts.pixels[i] - lo) / (hi - lo) * 255.f, 0.f, 255.f));
  MaskOptions mo;
  mo.find_vacuum = false;
  SpecimenMask m = find_specimen_mask(img, o.pixel_nm, 50, mo);
  EXPECT_EQ(m.annotation_shapes, 0) << (m.annotation_notes.empty() ? "" : m.annotation_notes[0]);
  for (int y = 560; y < 566; ++y)
    for (int x = 20; x < 220; ++x) img.at(x, y) = 255.f;
  m = find_specimen_mask(img, o.pixel_nm, 50, mo);
  EXPECT_EQ(m.annotation_shapes, 1);
  EXPECT_EQ(region_of_box(m, 100, 500, 100, 25), BoxRegion::annotation);
}

// An image without vacuum loses no box to it: the sub-box ratios have no second, noise-level mode.
TEST(SpecimenMask, NoVacuumWithoutVacuum) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 1024;
  o.ordered_fraction = 0.1;
  o.illumination_ramp = 0.5;
  o.dose_counts = 100;
  o.seed = 13;
  const SynthHrtem s = make_synth_hrtem(o);
  const SpecimenMask m = find_specimen_mask(as_float(s.counts), o.pixel_nm, 50, MaskOptions{});
  EXPECT_FALSE(m.vacuum_found);
  EXPECT_EQ(m.vacuum_px, 0);
}

// The annotation search runs beside the vacuum's sub-boxes when a core is free (a second thread,
// or a lender's idle core), else before them: the mask is the same either way. A saturated square
// in the vacuum is an annotation; the sub-boxes wholly inside it are flat (ratio 0, far below the
// cut) and would be vacuum if the annotations were not left out of the vacuum's cells after both
// searches.
TEST(SpecimenMask, SameMaskWhetherTheSearchesRunSideBySideOrInTurn) {
  const SynthHrtemOptions o = micrograph(1024, 0.1, 400, 21);
  const SynthHrtem s = make_synth_hrtem(o);
  ImageF img = as_float(s.counts);
  const float top = *std::max_element(img.pixels.begin(), img.pixels.end());  // the scale bar's value
  const int sx0 = 850, sy0 = 300, side = 150;  // the square, in the vacuum at the right
  for (int y = sy0; y < sy0 + side; ++y)
    for (int x = sx0; x < sx0 + side; ++x) {
      ASSERT_EQ(s.labels.at(x, y), kSynthLabelVacuum) << x << "," << y;
      img.at(x, y) = top;
    }
  BitPlane user(1024, 1024);
  user.set(100, 100);
  MaskOptions mo;
  mo.user_mask = &user;
  auto mask = [&](int threads, CoreLender* lender) {
    CoreLenderScope scope(lender);
    mo.threads = threads;
    return find_specimen_mask(img, o.pixel_nm, 50, mo);
  };
  const SpecimenMask in_turn = mask(1, nullptr);
  ASSERT_TRUE(in_turn.vacuum_found);
  EXPECT_GE(in_turn.annotation_shapes, 2);  // the scale bar (with its text) and the square
  const int probe = in_turn.cell_px;
  ASSERT_EQ(probe, 50);
  auto all_vacuum = [&](int x0, int y0, int x1, int y1) {  // by the label map, clipped to the image
    for (int y = std::max(0, y0); y < std::min(1024, y1); ++y)
      for (int x = std::max(0, x0); x < std::min(1024, x1); ++x)
        if (s.labels.at(x, y) != kSynthLabelVacuum) return false;
    return true;
  };
  long inside = 0, clear_vacuum = 0;
  for (int cy = 0; cy < in_turn.cells_y; ++cy)
    for (int cx = 0; cx < in_turn.cells_x; ++cx) {
      const int x0 = cx * probe, y0 = cy * probe, x1 = x0 + probe, y1 = y0 + probe;
      const bool vacuum = in_turn.vacuum_cells[std::size_t(cy * in_turn.cells_x + cx)] != 0;
      if (x0 >= sx0 && y0 >= sy0 && x1 <= sx0 + side && y1 <= sy0 + side) {
        ++inside;
        EXPECT_FALSE(vacuum) << "cell " << cx << "," << cy << " inside the square";
      } else if (!in_turn.annotation.any(x0, y0, x1, y1) &&
                 all_vacuum(x0 - probe, y0 - probe, x1 + probe, y1 + probe)) {
        ++clear_vacuum;  // a probe or more from the specimen's edge
        EXPECT_TRUE(vacuum) << "cell " << cx << "," << cy << " in the vacuum";
      }
    }
  EXPECT_EQ(inside, 9);  // the square holds cells 17-19 x 6-8 whole
  EXPECT_GE(clear_vacuum, 10);

  CoreLender none_idle(0), one_idle(1);
  for (auto [threads, lender] :
       {std::pair<int, CoreLender*>{2, nullptr}, {2, &one_idle}, {2, &none_idle}, {0, nullptr}}) {
    const SpecimenMask m = mask(threads, lender);
    SCOPED_TRACE("threads " + std::to_string(threads) +
                 (lender ? lender == &one_idle ? ", a lender with an idle core" : ", a lender without" : ""));
    EXPECT_EQ(m.vacuum_cells, in_turn.vacuum_cells);
    EXPECT_EQ(m.vacuum_found, in_turn.vacuum_found);
    EXPECT_EQ(m.vacuum_ratio, in_turn.vacuum_ratio);
    EXPECT_EQ(m.specimen_ratio, in_turn.specimen_ratio);
    EXPECT_EQ(m.vacuum_cut, in_turn.vacuum_cut);
    EXPECT_EQ(m.annotation_shapes, in_turn.annotation_shapes);
    EXPECT_EQ(m.annotation_notes, in_turn.annotation_notes);
    EXPECT_EQ(m.annotation_px, in_turn.annotation_px);
    EXPECT_EQ(m.vacuum_px, in_turn.vacuum_px);
    EXPECT_EQ(m.user_px, in_turn.user_px);
    for (int y = 0; y < 1024; ++y)
      ASSERT_TRUE(std::equal(m.annotation.row(y), m.annotation.row(y) + m.annotation.words_per_row(),
                             in_turn.annotation.row(y))) << "annotation row " << y;
  }
  EXPECT_TRUE(one_idle.any_idle());  // the borrowed core was given back
}

// Benjamini-Hochberg: at q the discoveries' p-values stay under the BH line; p-values follow the
// null's tail, and p = alpha sits at the threshold itself.
TEST(SpotSignificance, PValuesAndFdr) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 1024;
  o.ordered_fraction = 0.1;
  o.seed = 14;
  const SynthHrtem s = make_synth_hrtem(o);
  HrtemOptions ho;
  ho.threads = 2;
  const HrtemResult r = analyse_hrtem(with_pixel_size(as_float(s.counts), o.pixel_nm), ho, "p");
  EXPECT_NEAR(box_p_value(r.threshold, r.threshold.value), ho.threshold.alpha, 1e-9);
  EXPECT_NEAR(level_for_p_value(r.threshold, 0.003), r.threshold.tail_start +
              r.threshold.tail_mean_excess * std::log(0.1 / 0.003), 1e-9);
  for (const BoxResult& b : r.boxes)
    if (b.features.pairs && b.region == BoxRegion::specimen) EXPECT_LT(b.p_value, ho.threshold.alpha);
  HrtemOptions fdr = ho;
  fdr.fdr_q = 0.05;
  const HrtemResult rf = analyse_hrtem(with_pixel_size(as_float(s.counts), o.pixel_nm), fdr, "fdr");
  ASSERT_TRUE(rf.fdr_level.has_value());
  std::vector<double> p;
  long discoveries = 0;
  for (const BoxResult& b : rf.boxes)
    if (b.region == BoxRegion::specimen && !b.features.flat) {
      p.push_back(b.p_value);
      discoveries += b.features.pairs > 0;
    }
  std::sort(p.begin(), p.end());
  ASSERT_GT(discoveries, 0);
  EXPECT_LE(p[std::size_t(discoveries - 1)], 0.05 * double(discoveries) / double(p.size()));
  std::printf("FDR 0.05: %ld boxes with spots (level %.2f) vs per-box alpha 0.01: level %.2f\n", discoveries,
              *rf.fdr_level, r.threshold.value);
}

}  // namespace mgscope

// Spots and ACF of single boxes against closed-form lattices.
#include "imaging/box_features.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "imaging/box_classes.hpp"
#include "imaging/box_grid.hpp"
#include "imaging/synth_hrtem.hpp"
#include "synth_image.hpp"
#include "fitting/base/error.hpp"

namespace mgscope {

namespace {
double angle_diff_deg(double a, double b) {
  double d = std::fabs(a - b);
  d = std::fmod(d, 180.0);
  return std::min(d, 180.0 - d);
}
}  // namespace

TEST(BoxGrid, GeometryOfThePaperGrid) {
  const BoxGrid g = make_box_grid(1030, 512, 0.0199, 1.985, 1.985, "img");
  EXPECT_EQ(g.box_px, 100);   // round(1.985 / 0.0199) = round(99.75)
  EXPECT_EQ(g.nx, 10);
  EXPECT_EQ(g.ny, 5);
  EXPECT_EQ(g.left_out_x_px, 30);
  EXPECT_EQ(g.left_out_y_px, 12);
  EXPECT_NEAR(g.box_nm_effective, 1.99, 1e-12);
  const BoxGrid half = make_box_grid(1030, 512, 0.0199, 1.985, 1.985 / 2, "img");
  EXPECT_EQ(half.stride_px, 50);
  EXPECT_EQ(half.nx, 19);
  const BoxGrid small = make_box_grid(640, 640, 0.1, 1.985, 1.985, "img");  // 20 px box
  ASSERT_EQ(small.warnings.size(), 1u);
  // Fringes are missed there (a probe: 9 % order read 1.9-3.1 %): the fractions are said to be lower bounds.
  EXPECT_NE(small.warnings[0].find("the ordered fractions are lower bounds"), std::string::npos) << small.warnings[0];
  EXPECT_THROW(make_box_grid(50, 50, 0.0199, 1.985, 1.985, "small.tif"), InputError);
  EXPECT_THROW(make_box_grid(500, 500, 1.0, 1.985, 1.985, "coarse.tif"), InputError);
}

// One fringe set per case: the refined spot must give d within 2 % and the direction within 2 deg.
TEST(BoxFeatures, SpotsOfAPureLatticeGiveSpacingAndDirection) {
  const double pixel_nm = 0.0199;
  const int n = 100;
  SpotOptions so;
  const SpectrumGeometry geom(n, n, pixel_nm, so);
  BoxTransformer tr(n, WindowKind::hann, AcfMode::circular);
  BoxMeasurer meas(geom);
  for (double d : {0.20, 0.235, 0.27, 0.32}) {
    for (double angle : {0.0, 17.0, 44.5, 90.0, 133.0, 171.0}) {
      const ImageF img = make_lattice_image(n, n, pixel_nm, {d}, {angle});
      ASSERT_TRUE(tr.transform(img, 0, 0));
      const BoxFeatures f = meas.measure(tr, 20.0, 20.0);
      ASSERT_GE(f.pairs, 1) << d << " " << angle;
      EXPECT_EQ(f.directions, 1) << d << " " << angle;
      EXPECT_NEAR(f.spots[0].d_nm, d, 0.02 * d) << "angle " << angle;
      EXPECT_LT(angle_diff_deg(f.spots[0].angle_deg, angle), 2.0) << "d " << d;
      EXPECT_EQ(classify_box(f, ClassRules{}), BoxClass::crystal_like);
      // The ACF of a fringe set repeats at the spacing (or a multiple inside the lag range).
      EXPECT_GT(f.acf_secondary, 0.5);
    }
  }
}

TEST(BoxFeatures, TwoFringeSetsAreANanocrystal) {
  const double pixel_nm = 0.0199;
  const int n = 100;
  const SpectrumGeometry geom(n, n, pixel_nm, SpotOptions{});
  BoxTransformer tr(n, WindowKind::hann, AcfMode::circular);
  BoxMeasurer meas(geom);
  const ImageF img = make_lattice_image(n, n, pixel_nm, {0.28, 0.28}, {25.0, 115.0});
  ASSERT_TRUE(tr.transform(img, 0, 0));
  const BoxFeatures f = meas.measure(tr, 20.0, 20.0);
  EXPECT_EQ(f.directions, 2);
  EXPECT_EQ(classify_box(f, ClassRules{}), BoxClass::nanocrystal);
  for (const Spot& s : f.spots) EXPECT_NEAR(s.d_nm, 0.28, 0.02 * 0.28);
}

TEST(BoxFeatures, LinearAcfAndFlatBoxes) {
  const double pixel_nm = 0.0199;
  const int n = 100;
  const SpectrumGeometry geom(n, 2 * n, pixel_nm, SpotOptions{});
  BoxTransformer tr(n, WindowKind::hann, AcfMode::linear);
  BoxMeasurer meas(geom);
  const ImageF img = make_lattice_image(n, n, pixel_nm, {0.25}, {0.0});
  ASSERT_TRUE(tr.transform(img, 0, 0));
  EXPECT_NEAR(tr.acf()[0], 1.0f, 1e-6f);
  const BoxFeatures f = meas.measure(tr, 20.0, 20.0);
  EXPECT_NEAR(f.spots.at(0).d_nm, 0.25, 0.005);
  // Along x the ACF of cos(2 pi x / d) peaks at lag d = 12.56 px: its linear ACF stays high there.
  EXPECT_GT(f.acf_secondary, 0.3);
  const ImageF flat(n, n, 7.f);
  EXPECT_FALSE(tr.transform(flat, 0, 0));
  EXPECT_TRUE(meas.measure(tr, 20.0, 20.0).flat);
}

// A measurer told to skip the anisotropy (the area map's sliding boxes, the null's boxes) finds the
// same spots, peak, cover and fringe cells to the bit, and says it did not measure the anisotropy.
TEST(BoxFeatures, SkippingTheAnisotropyChangesNothingElse) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 600;
  o.ordered_fraction = 0.3;
  o.seed = 7;
  const SynthHrtem synth = make_synth_hrtem(o);
  const ImageF img = test::as_float(synth.counts);
  const int n = 100;
  const SpectrumGeometry geom(n, n, o.pixel_nm, SpotOptions{});
  BoxTransformer tr(n, WindowKind::hann, AcfMode::circular);
  BoxMeasurer full(geom), spots_only(geom, false);
  int with_spots = 0;
  for (int y = 0; y + n <= img.height; y += n / 2)
    for (int x = 0; x + n <= img.width; x += n / 2) {
      ASSERT_TRUE(tr.transform(img, x, y));
      const BoxFeatures a = full.measure(tr, 12.0, 9.0), b = spots_only.measure(tr, 12.0, 9.0);
      EXPECT_TRUE(std::isfinite(a.anisotropy) && a.anisotropy >= 1.0) << x << "," << y;
      EXPECT_TRUE(std::isnan(b.anisotropy));
      EXPECT_EQ(a.max_whitened, b.max_whitened);
      EXPECT_EQ(a.cover, b.cover);
      EXPECT_EQ(a.fringe_cells, b.fringe_cells);
      EXPECT_EQ(a.pairs, b.pairs);
      EXPECT_EQ(a.directions, b.directions);
      ASSERT_EQ(a.spots.size(), b.spots.size());
      for (std::size_t k = 0; k < a.spots.size(); ++k) {
        EXPECT_EQ(a.spots[k].whitened, b.spots[k].whitened);
        EXPECT_EQ(a.spots[k].d_nm, b.spots[k].d_nm);
      }
      with_spots += !a.spots.empty();
    }
  EXPECT_GT(with_spots, 5);  // the comparison saw boxes with spots, not only empty ones
}

TEST(Window, HannIsZeroAtTheEdgeAndOneInTheMiddle) {
  const auto w = make_window_2d(WindowKind::hann, 8);
  EXPECT_FLOAT_EQ(w[0], 0.f);
  EXPECT_FLOAT_EQ(w[4 * 8 + 4], 1.f);
  const auto none = make_window_2d(WindowKind::none, 8);
  EXPECT_FLOAT_EQ(none[0], 1.f);
  EXPECT_FALSE(parse_window("kaiser").has_value());
}

TEST(Window, MiddleRowIsThe2dWindowsRowToTheBit) {
  for (WindowKind kind : {WindowKind::hann, WindowKind::hamming, WindowKind::tukey})
    for (int n : {8, 9, 100, 101}) {  // odd n: w1(n / 2) is not 1, and the row carries it
      const std::vector<float> w = make_window_2d(kind, n);
      const std::vector<float> expected(w.begin() + std::ptrdiff_t(n / 2) * n,
                                        w.begin() + std::ptrdiff_t(n / 2 + 1) * n);
      EXPECT_EQ(window_middle_row(kind, n), expected) << window_name(kind) << " " << n;
    }
}

// The box grid's transformers compute the ACF's half plane only (acf_half_plane_only): rows
// 0 .. m/2 must be the full ACF's to the bit, the rows below zero, and the measurement the same, for
// FFTW's sizes (100, 64 px), chirp-z's (97 px) and the linear ACF (2n: 200 and 194 px).
TEST(BoxTransformer, HalfPlaneAcfIsTheFullAcfsRowsToTheBit) {
  struct Case { int n; AcfMode mode; };
  for (const Case c : {Case{100, AcfMode::circular}, Case{64, AcfMode::circular}, Case{97, AcfMode::circular},
                       Case{100, AcfMode::linear}, Case{97, AcfMode::linear}}) {
    const double pixel_nm = 1.985 / c.n;
    const ImageF img = make_lattice_image(2 * c.n, c.n, pixel_nm, {0.235, 0.31}, {20.0, 75.0});
    BoxTransformer full(c.n, WindowKind::hann, c.mode), half(c.n, WindowKind::hann, c.mode);
    half.acf_half_plane_only();
    const SpectrumGeometry geom(c.n, full.acf_size(), pixel_nm, SpotOptions{});
    BoxMeasurer a(geom), b(geom);
    for (int x0 : {0, c.n / 3, c.n}) {
      ASSERT_TRUE(full.transform(img, x0, 0));
      ASSERT_TRUE(half.transform(img, x0, 0));
      const int m = full.acf_size(), rows = m / 2 + 1;
      EXPECT_EQ(std::memcmp(full.acf(), half.acf(), sizeof(float) * std::size_t(rows) * std::size_t(m)), 0)
          << c.n << " px, x0 " << x0;
      for (std::size_t i = std::size_t(rows) * std::size_t(m); i < std::size_t(m) * std::size_t(m); ++i)
        ASSERT_EQ(half.acf()[i], 0.f) << c.n << " px";
      const BoxFeatures fa = a.measure(full, 20.0, 13.0), fb = b.measure(half, 20.0, 13.0);
      EXPECT_EQ(fa.acf_secondary, fb.acf_secondary);
      EXPECT_EQ(fa.acf_secondary_lag_nm, fb.acf_secondary_lag_nm);
      EXPECT_EQ(fa.max_whitened, fb.max_whitened);
      EXPECT_GT(fa.acf_secondary, 0.2) << c.n << " px: the fringes repeat inside the lag range";
    }
  }
}

}  // namespace mgscope

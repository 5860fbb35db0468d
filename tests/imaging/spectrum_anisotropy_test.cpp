// Directional blur and an elliptical halo on glass: the noise model follows the spectrum's direction
// dependence (imaging/spectrum_anisotropy.hpp), so they are not read as order, while crystals are.
#include "imaging/spectrum_anisotropy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "imaging/box_grid.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "imaging/spot_threshold.hpp"
#include "imaging/synth_hrtem.hpp"
#include "synth_image.hpp"
#include "tests/test_support.hpp"

namespace mgscope {

namespace {

using test::as_float;

// Box-majority truth: the share of boxes more than half ordered.
double majority_ordered(const HrtemResult& r, const SynthHrtem& s) {
  const int n = r.grid.box_px;
  long ordered = 0;
  for (const BoxResult& b : r.boxes) {
    long px = 0;
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x)
        px += s.labels.at(b.x_px + x, b.y_px + y) == 1 || s.labels.at(b.x_px + x, b.y_px + y) == 2;
    ordered += 2 * px > long(n) * n;
  }
  return double(ordered) / double(r.boxes.size());
}

SynthHrtemOptions isotropic_glass(std::uint64_t seed) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 2048;  // 400 boxes, four null crops
  o.ordered_fraction = 0;
  o.seed = seed;
  return o;
}

HrtemResult analyse(const SynthHrtem& s, double pixel_nm, bool follow = true) {
  HrtemOptions ho;
  ho.threads = 2;
  ho.threshold.follow_anisotropy = follow;
  return analyse_hrtem(with_pixel_size(as_float(s.counts), pixel_nm), ho, "synthetic");
}

bool warns_of_anisotropy(const HrtemResult& r) { return test::has_warning(r, "the amorphous spectrum is"); }

}  // namespace

// Drift of 0.2 nm along x during the exposure: the spectrum is ~25x weaker along x than along y
// near d = 0.2 nm. The radial model called about a third of these boxes ordered (every false spot
// at 70-110 deg); followed, the blur is no order.
TEST(SpectrumAnisotropy, DirectionalBlurOfGlassIsNotReadAsOrder) {
  SynthHrtemOptions o = isotropic_glass(41);
  o.motion_blur_nm = 0.2;
  const SynthHrtem s = make_synth_hrtem(o);
  const HrtemResult r = analyse(s, o.pixel_nm);
  const SpectrumAnisotropy& a = r.threshold.anisotropy;
  std::printf("blur 0.2 nm: ordered %.4f, ratio %.2f strong %.0f weak %.0f deg at d %.3f nm, z %.1f misfit %.3f\n",
              r.fractions.ordered_fraction, a.ratio, a.strong_deg, a.weak_deg, a.at_d_nm, a.z, a.misfit);
  ASSERT_TRUE(a.significant);
  EXPECT_FALSE(r.threshold.inverse_modulation.empty());
  EXPECT_GT(a.ratio, 3.0);
  EXPECT_NEAR(a.strong_deg, 90.0, 10.0);  // q across the motion keeps its power
  EXPECT_TRUE(a.weak_deg < 10.0 || a.weak_deg > 170.0);
  EXPECT_TRUE(warns_of_anisotropy(r));
  EXPECT_LE(r.fractions.ordered_fraction, 0.02);
  // The radial model alone, on the same image: the failure this guards against.
  const HrtemResult old = analyse(s, o.pixel_nm, false);
  std::printf("blur 0.2 nm, radial model: ordered %.4f\n", old.fractions.ordered_fraction);
  EXPECT_GE(old.fractions.ordered_fraction, 0.1);
}

// The modes without a null follow the direction dependence too. On that blurred glass the formula
// level with the radial whitening called 40 % of a 1024 px image's boxes ordered (measured before the
// change); followed, the formula level reads what it reads on the same glass sharp (its own liberal
// bias: the ln(M / alpha) level ignores the heavy tail of windowed boxes), and a fixed level too.
TEST(SpectrumAnisotropy, TheFormulaAndFixedLevelsFollowADirectionalBlurToo) {
  SynthHrtemOptions o = isotropic_glass(41);
  const SynthHrtem sharp = make_synth_hrtem(o);
  o.motion_blur_nm = 0.2;
  const SynthHrtem blurred = make_synth_hrtem(o);
  for (const ThresholdMode mode : {ThresholdMode::formula, ThresholdMode::fixed}) {
    HrtemOptions ho;
    ho.threads = 2;
    ho.threshold.mode = mode;
    if (mode == ThresholdMode::fixed) ho.threshold.fixed = 20.0;
    const HrtemResult b = analyse_hrtem(with_pixel_size(as_float(blurred.counts), o.pixel_nm), ho, "blurred");
    const HrtemResult s = analyse_hrtem(with_pixel_size(as_float(sharp.counts), o.pixel_nm), ho, "sharp");
    std::printf("%s: blurred %.4f, sharp %.4f ordered\n", threshold_mode_name(mode), b.fractions.ordered_fraction,
                s.fractions.ordered_fraction);
    EXPECT_TRUE(b.threshold.anisotropy.significant) << threshold_mode_name(mode);
    EXPECT_FALSE(b.threshold.inverse_modulation.empty());
    EXPECT_TRUE(warns_of_anisotropy(b));
    EXPECT_FALSE(s.threshold.anisotropy.significant);
    EXPECT_NEAR(b.fractions.ordered_fraction, s.fractions.ordered_fraction, 0.03) << threshold_mode_name(mode);
    ho.threshold.follow_anisotropy = false;  // the radial whitening alone: what this guards against
    const HrtemResult radial = analyse_hrtem(with_pixel_size(as_float(blurred.counts), o.pixel_nm), ho, "radial");
    EXPECT_GT(radial.fractions.ordered_fraction, s.fractions.ordered_fraction + 0.1) << threshold_mode_name(mode);
  }
}

// A blur so strong that the spectrum along the motion falls to the shot noise over most of the
// annulus: the model still follows it, but its rings stray from the smooth fit, and the warning says
// the fractions are doubtful.
TEST(SpectrumAnisotropy, ABlurBeyondTheModelMakesTheFractionsDoubtful) {
  SynthHrtemOptions o = isotropic_glass(46);
  o.motion_blur_nm = 0.4;
  const SynthHrtem s = make_synth_hrtem(o);
  const HrtemResult r = analyse(s, o.pixel_nm);
  const SpectrumAnisotropy& a = r.threshold.anisotropy;
  std::printf("blur 0.4 nm: ordered %.4f, ratio %.2f misfit %.3f beyond %d\n", r.fractions.ordered_fraction, a.ratio,
              a.misfit, int(a.beyond_model));
  ASSERT_TRUE(a.significant);
  EXPECT_TRUE(a.beyond_model);
  bool doubtful = false;
  for (const std::string& w : r.warnings) doubtful |= w.find("the ordered fractions are doubtful") != std::string::npos;
  EXPECT_TRUE(doubtful);
}

// An elliptical halo (7 %, long axis at 30 deg): the radial model called several times alpha of the
// boxes ordered.
TEST(SpectrumAnisotropy, EllipticalHaloIsNotReadAsOrder) {
  SynthHrtemOptions o = isotropic_glass(42);
  o.halo_ellipticity = 0.07;
  o.halo_ellipticity_deg = 30;
  const SynthHrtem s = make_synth_hrtem(o);
  const HrtemResult r = analyse(s, o.pixel_nm);
  const SpectrumAnisotropy& a = r.threshold.anisotropy;
  std::printf("ellipticity 7 %%: ordered %.4f, ratio %.2f strong %.0f weak %.0f deg at d %.3f nm, z %.1f\n",
              r.fractions.ordered_fraction, a.ratio, a.strong_deg, a.weak_deg, a.at_d_nm, a.z);
  ASSERT_TRUE(a.significant);
  // Beyond the halo (d 0.2 nm) the ring lies nearer the origin along 30 deg: weaker there.
  EXPECT_NEAR(a.strong_deg, 120.0, 10.0);
  EXPECT_NEAR(a.weak_deg, 30.0, 10.0);
  EXPECT_TRUE(warns_of_anisotropy(r));
  EXPECT_LE(r.fractions.ordered_fraction, 0.02);
  const HrtemResult old = analyse(s, o.pixel_nm, false);
  std::printf("ellipticity 7 %%, radial model: ordered %.4f\n", old.fractions.ordered_fraction);
  EXPECT_GE(old.fractions.ordered_fraction, 0.03);
}

// Crystals in blurred glass: the fraction stays that of the same crystals without the blur (their
// fringes are far stronger than the blur's modulation of the amorphous speckle).
TEST(SpectrumAnisotropy, CrystalsInBlurredGlassKeepTheirFraction) {
  SynthHrtemOptions o = isotropic_glass(43);
  o.ordered_fraction = 0.08;
  const SynthHrtem sharp = make_synth_hrtem(o);
  o.motion_blur_nm = 0.15;
  o.motion_blur_deg = 60;
  const SynthHrtem blurred = make_synth_hrtem(o);
  const HrtemResult rs = analyse(sharp, o.pixel_nm), rb = analyse(blurred, o.pixel_nm);
  const double truth = majority_ordered(rs, sharp);
  std::printf("crystals: truth %.4f, sharp %.4f, blurred %.4f (ratio %.2f), radial model on blurred %.4f\n", truth,
              rs.fractions.ordered_fraction, rb.fractions.ordered_fraction, rb.threshold.anisotropy.ratio,
              analyse(blurred, o.pixel_nm, false).fractions.ordered_fraction);
  EXPECT_FALSE(rs.threshold.anisotropy.significant);
  EXPECT_TRUE(rb.threshold.anisotropy.significant);
  EXPECT_NEAR(rb.fractions.ordered_fraction, rs.fractions.ordered_fraction, 0.025);
  EXPECT_NEAR(rb.fractions.ordered_fraction, truth, 0.03);
}

// A --reference glass of the same blur: its boxes are whitened by its own direction dependence, so
// its level is that of blurred speckle whitened, and the crystals in the blurred image are found as
// the null mode finds them. A sharp reference for the blurred image is of other conditions: the
// level is kept, and the image says it is doubtful.
TEST(SpectrumAnisotropy, AReferenceImageIsWhitenedByItsOwnDirectionDependence) {
  SynthHrtemOptions o = isotropic_glass(43);
  o.ordered_fraction = 0.08;
  o.motion_blur_nm = 0.15;
  o.motion_blur_deg = 60;
  const SynthHrtem blurred = make_synth_hrtem(o);
  SynthHrtemOptions r = o;
  r.ordered_fraction = 0;
  r.seed = 143;
  const ImageF blurred_reference = as_float(make_synth_hrtem(r).counts);
  r.motion_blur_nm = 0;
  const ImageF sharp_reference = as_float(make_synth_hrtem(r).counts);
  auto with_reference = [&](const ImageF& reference, bool follow) {
    HrtemOptions ho;
    ho.threads = 2;
    ho.threshold.mode = ThresholdMode::reference;
    ho.threshold.reference = &reference;
    ho.threshold.follow_anisotropy = follow;
    return analyse_hrtem(with_pixel_size(as_float(blurred.counts), o.pixel_nm), ho, "blurred");
  };
  const HrtemResult null_mode = analyse(blurred, o.pixel_nm);
  const HrtemResult same = with_reference(blurred_reference, true), radial = with_reference(blurred_reference, false),
                    other = with_reference(sharp_reference, true);
  const double truth = majority_ordered(null_mode, blurred);
  std::printf(
      "reference: truth %.4f, null %.4f; blurred reference %.4f (level %.2f), radial %.4f (level %.2f); "
      "sharp reference %.4f (level %.2f)\n",
      truth, null_mode.fractions.ordered_fraction, same.fractions.ordered_fraction, same.threshold.value,
      radial.fractions.ordered_fraction, radial.threshold.value, other.fractions.ordered_fraction,
      other.threshold.value);
  EXPECT_NEAR(same.fractions.ordered_fraction, truth, 0.03);
  // The reference's blurred speckle whitened radially set the level 8.8 higher when written (29.35
  // against 20.55): weaker order than these crystals would be missed.
  EXPECT_GT(radial.threshold.value, same.threshold.value + 4.0);
  EXPECT_TRUE(same.threshold.doubt.empty()) << same.threshold.doubt;
  EXPECT_NE(other.threshold.doubt.find("the --reference image's amorphous spectrum depends on direction otherwise"),
            std::string::npos);
  EXPECT_NE(std::find(other.warnings.begin(), other.warnings.end(), other.threshold.doubt), other.warnings.end());
}

// Crystals all of one orientation (a textured film) make a spot at the same place of every box they
// fill; the fit leaves such pixels out, so the texture is not taken for blur and its crystals are
// still found.
TEST(SpectrumAnisotropy, TexturedCrystalsAreNotAbsorbed) {
  SynthHrtemOptions o = isotropic_glass(44);
  o.ordered_fraction = 0.12;
  o.crystal_direction_deg = 90;
  const SynthHrtem s = make_synth_hrtem(o);
  const HrtemResult r = analyse(s, o.pixel_nm);
  const double truth = majority_ordered(r, s);
  std::printf("textured: truth %.4f, ordered %.4f, ratio %.2f z %.1f significant %d\n", truth,
              r.fractions.ordered_fraction, r.threshold.anisotropy.ratio, r.threshold.anisotropy.z,
              int(r.threshold.anisotropy.significant));
  EXPECT_FALSE(r.threshold.anisotropy.significant);
  EXPECT_NEAR(r.fractions.ordered_fraction, truth, 0.03);
}

// Ordinary isotropic images keep the radial model: no modulation, the numbers of before.
TEST(SpectrumAnisotropy, IsotropicImagesKeepTheRadialModel) {
  for (const double fraction : {0.0, 0.1}) {
    SynthHrtemOptions o = isotropic_glass(45);
    o.ordered_fraction = fraction;
    o.width_px = o.height_px = 1024;
    const SynthHrtem s = make_synth_hrtem(o);
    const HrtemResult r = analyse(s, o.pixel_nm), old = analyse(s, o.pixel_nm, false);
    std::printf("isotropic %.2f: ratio %.3f z %.1f\n", fraction, r.threshold.anisotropy.ratio,
                r.threshold.anisotropy.z);
    EXPECT_TRUE(r.threshold.anisotropy.measured());
    EXPECT_FALSE(r.threshold.anisotropy.significant);
    EXPECT_LT(r.threshold.anisotropy.z, 6.0);  // 1024 px, one crop: 0.4 and 3.8 measured
    EXPECT_TRUE(r.threshold.inverse_modulation.empty());
    EXPECT_FALSE(warns_of_anisotropy(r));
    EXPECT_EQ(r.threshold.value, old.threshold.value);
    EXPECT_EQ(r.fractions.ordered_fraction, old.fractions.ordered_fraction);
  }
}

// A batch reuses its first image's calibration only for images whose spectrum varies with direction
// as the first's does: an elliptical halo after a round one calibrates its own (its radial spectrum
// alone passed the check: mismatch under 0.2), an image of the same ellipticity reuses the
// elliptical one, modulation and all.
TEST(SpectrumAnisotropy, ABatchReusesACalibrationOnlyForTheSameDirectionDependence) {
  const BoxGrid grid = make_box_grid(1024, 1024, 0.0199, 1.985, 1.985, "test");
  SpotOptions spots;
  spots.sidelobe_floor = sidelobe_floor_for(WindowKind::hann);
  const SpectrumGeometry geometry(grid.box_px, grid.box_px, 0.0199, spots);
  auto image = [](double ellipticity, std::uint64_t seed) {
    SynthHrtemOptions o = isotropic_glass(seed);
    o.width_px = o.height_px = 1024;
    o.halo_ellipticity = ellipticity;
    return as_float(make_synth_hrtem(o).counts);
  };
  auto calibrate = [&](const ImageF& im, const SpotThreshold* reuse) {
    ThresholdOptions o;
    o.reuse = reuse;
    o.reuse_tolerance = reuse ? 0.2 : 0;
    return choose_spot_threshold(StoredImage(im), grid, geometry, WindowKind::hann, AcfMode::circular, o, 2);
  };
  const SpotThreshold round = calibrate(image(0, 51), nullptr);
  ASSERT_FALSE(round.anisotropy.significant);
  const SpotThreshold round_again = calibrate(image(0, 52), &round);
  EXPECT_FALSE(round_again.reuse_refused);
  EXPECT_TRUE(round_again.inverse_modulation.empty());
  const SpotThreshold elliptical = calibrate(image(0.05, 53), &round);
  std::printf("elliptical after round: mismatch %.3f, refused %d\n", elliptical.spectrum_mismatch,
              int(elliptical.reuse_refused));
  EXPECT_TRUE(elliptical.reuse_refused);
  // The check measures the modulation at whole-box steps and compares its size with what the round
  // calibration applies (none): a 5 % ellipticity reads about 0.4 here, isotropic images under 0.07.
  EXPECT_NE(elliptical.description.find("rms in log power, at most 0.15 reuses it"), std::string::npos)
      << elliptical.description;
  EXPECT_TRUE(elliptical.anisotropy.significant);
  EXPECT_FALSE(elliptical.inverse_modulation.empty());
  // The elliptical image's own calibration, as the first image of a batch would have it.
  const SpotThreshold first = calibrate(image(0.05, 53), nullptr);
  EXPECT_EQ(first.value, elliptical.value);
  const SpotThreshold elliptical_again = calibrate(image(0.05, 54), &first);
  EXPECT_FALSE(elliptical_again.reuse_refused);
  EXPECT_EQ(elliptical_again.value, first.value);
  EXPECT_EQ(elliptical_again.inverse_modulation, first.inverse_modulation);
}

}  // namespace mgscope

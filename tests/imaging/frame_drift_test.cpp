// Drift between frames by phase correlation (imaging/frame_drift.hpp), on synthetic HRTEM frames of
// one specimen with fresh shot noise, cut from the field at known offsets.
#include "imaging/frame_drift.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <random>
#include <vector>

#include "imaging/image_fft.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/synth_hrtem.hpp"
#include "tests/imaging/synth_image.hpp"
#include "tests/test_support.hpp"

namespace mgscope {
namespace {

SynthHrtem field(std::uint64_t seed, std::uint64_t noise_seed) {
  SynthHrtemOptions o;
  o.width_px = o.height_px = 600;
  o.ordered_fraction = 0.15;
  o.seed = seed;
  o.noise_seed = noise_seed;
  return make_synth_hrtem(o);
}

// The side x side window of `f` whose top-left corner is (x0, y0).
ImageF cut(const ImageF& f, int x0, int y0, int side) {
  ImageF out(side, side);
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) out.at(x, y) = f.at(x0 + x, y0 + y);
  return out;
}

TEST(FrameDrift, MeasuresTheShiftOfAFrameOfTheSameSpecimen) {
  const ImageF first = test::as_float(field(5, 101).counts);
  const ImageF second = test::as_float(field(5, 102).counts);  // the same specimen, its own noise
  const ImageF reference = cut(first, 40, 40, 500);
  EXPECT_EQ(DriftReference(reference).crop_side(), 500);  // 2^2 5^3, not binned under 512 px
  const DriftReference drift(reference);
  // The frame's window moved by (mx, my): its content lies (-mx, -my) from the reference's.
  for (const auto& [mx, my] : {std::pair{0, 0}, {3, 2}, {-7, 11}, {25, -30}}) {
    const FrameShift s = drift.shift_of(cut(second, 40 + mx, 40 + my, 500));
    std::printf("moved (%d, %d): measured (%.3f, %.3f), contrast %.1f\n", mx, my, s.dx_px, s.dy_px, s.peak_contrast);
    EXPECT_TRUE(s.reliable) << mx << ", " << my << ": contrast " << s.peak_contrast;
    EXPECT_NEAR(s.dx_px, -mx, 0.3) << mx << ", " << my;
    EXPECT_NEAR(s.dy_px, -my, 0.3) << mx << ", " << my;
  }
}

// A real micrograph: the SrTiO3 lattice of the TIA SER file (0.01 nm/px), windows cut at known
// offsets. A lattice repeats, so a shift by one of its periods would match as well; the window's
// edges and the lattice's defects leave the true shift the strongest peak.
TEST(FrameDrift, MeasuresWholePixelShiftsOnARealLattice) {
  MGSCOPE_SHARED_OR_SKIP(ser, "hrtem/16_STOimage_1.ser");
  const LoadedImage img = read_image(ser, ReadOptions{});
  const ImageF lattice = to_float(img.raw, ser);
  const DriftReference drift(cut(lattice, 60, 60, 900));
  for (const auto& [mx, my] : {std::pair{5, -3}, {10, -6}, {-17, 23}}) {
    const FrameShift s = drift.shift_of(cut(lattice, 60 + mx, 60 + my, 900));
    std::printf("SrTiO3 moved (%d, %d): measured (%.3f, %.3f), contrast %.1f\n", mx, my, s.dx_px, s.dy_px,
                s.peak_contrast);
    EXPECT_TRUE(s.reliable);
    EXPECT_NEAR(s.dx_px, -mx, 0.1);
    EXPECT_NEAR(s.dy_px, -my, 0.1);
  }
  // A series' link between points: each window against the one before, as a series follows a
  // drifting specimen (900 px frames: compared binned 2 x 2, as above).
  CropSpectrum before = crop_spectrum(cut(lattice, 60, 60, 900));
  EXPECT_EQ(before.bin, 2);
  int bx = 0, by = 0;
  for (const auto& [mx, my] : {std::pair{5, -3}, {10, -6}, {-17, 23}}) {
    CropSpectrum now = crop_spectrum(cut(lattice, 60 + mx, 60 + my, 900));
    const FrameShift s = shift_between(before, now);
    std::printf("SrTiO3 link (%d, %d) -> (%d, %d): measured (%.3f, %.3f), contrast %.1f\n", bx, by, mx, my, s.dx_px,
                s.dy_px, s.peak_contrast);
    EXPECT_TRUE(s.reliable);
    EXPECT_NEAR(s.dx_px, bx - mx, 0.25);
    EXPECT_NEAR(s.dy_px, by - my, 0.25);
    before = std::move(now);
    bx = mx;
    by = my;
  }
}

// A saturated bar burned in at the same place of both frames while the specimen moves.
TEST(FrameDrift, AStationaryBarIsLeftOut) {
  ImageF reference = cut(test::as_float(field(5, 101).counts), 40, 40, 500);
  ImageF moved = cut(test::as_float(field(5, 102).counts), 46, 36, 500);  // content at (-6, +4)
  BitPlane bar(500, 500);
  for (int y = 420; y < 432; ++y)
    for (int x = 60; x < 300; ++x) {
      reference.at(x, y) = moved.at(x, y) = 65535.f;
      bar.set(x, y);
    }
  const FrameShift held = DriftReference(reference).shift_of(moved);
  std::printf("bar left in: (%.2f, %.2f), contrast %.1f\n", held.dx_px, held.dy_px, held.peak_contrast);
  EXPECT_NEAR(held.dx_px, 0, 0.5);  // the bar wins
  EXPECT_NEAR(held.dy_px, 0, 0.5);
  const FrameShift s = DriftReference(reference, bar).shift_of(moved);
  std::printf("bar left out: (%.2f, %.2f), contrast %.1f\n", s.dx_px, s.dy_px, s.peak_contrast);
  EXPECT_TRUE(s.reliable);
  EXPECT_NEAR(s.dx_px, -6, 0.3);
  EXPECT_NEAR(s.dy_px, 4, 0.3);
}

TEST(FrameDrift, FramesWithoutCommonContentAreNotAligned) {
  const DriftReference drift(cut(test::as_float(field(5, 101).counts), 40, 40, 500));
  const FrameShift s = drift.shift_of(cut(test::as_float(field(6, 102).counts), 40, 40, 500));  // another specimen
  std::printf("another specimen: contrast %.1f\n", s.peak_contrast);
  EXPECT_FALSE(s.reliable) << s.peak_contrast;
  EXPECT_LT(s.peak_contrast, kMinDriftPeakContrast);
  EXPECT_THROW(drift.shift_of(ImageF(400, 500)), std::invalid_argument);
}

// What a series keeps of a point's first frame (its crop's spectrum) measures the same shift as
// the reference does from the frame itself, bit for bit.
TEST(FrameDrift, CropSpectraMeasureTheShiftTheReferenceDoes) {
  const Image<std::uint16_t> first = field(5, 101).counts, second = field(5, 102).counts;
  const ImageF reference = cut(test::as_float(first), 40, 40, 500);
  const ImageF moved = cut(test::as_float(second), 49, 33, 500);  // content at (-9, +7)
  BitPlane bar(500, 500);
  for (int y = 420; y < 432; ++y)
    for (int x = 60; x < 300; ++x) bar.set(x, y);
  const FrameShift direct = DriftReference(reference, bar).shift_of(moved);
  const CropSpectrum a = crop_spectrum(reference, bar), b = crop_spectrum(moved, bar);
  EXPECT_EQ(a.side, 500);
  EXPECT_EQ(a.bins.size(), 500u * 251u);
  const FrameShift kept = shift_between(a, b);
  EXPECT_TRUE(kept.reliable);
  EXPECT_EQ(kept.dx_px, direct.dx_px);
  EXPECT_EQ(kept.dy_px, direct.dy_px);
  EXPECT_EQ(kept.peak_contrast, direct.peak_contrast);
  EXPECT_NEAR(kept.dx_px, -9, 0.3);
  EXPECT_NEAR(kept.dy_px, 7, 0.3);
  // The reverse comparison measures the opposite shift.
  const FrameShift back = shift_between(b, a);
  EXPECT_NEAR(back.dx_px, 9, 0.3);
  EXPECT_NEAR(back.dy_px, -7, 0.3);
  // Frames of 512 px or more are compared binned 2 x 2 (a quarter of the cost, the same reach).
  const CropSpectrum c = crop_spectrum(cut(test::as_float(first), 20, 20, 560));
  const CropSpectrum d = crop_spectrum(cut(test::as_float(second), 29, 13, 560));
  EXPECT_EQ(c.bin, 2);
  EXPECT_EQ(c.side, 280);
  const FrameShift binned = shift_between(c, d);
  std::printf("binned: (%.3f, %.3f), contrast %.1f\n", binned.dx_px, binned.dy_px, binned.peak_contrast);
  EXPECT_TRUE(binned.reliable);
  EXPECT_NEAR(binned.dx_px, -9, 0.5);
  EXPECT_NEAR(binned.dy_px, 7, 0.5);
  // Crops of frames of different sizes are refused, not compared.
  EXPECT_THROW(shift_between(a, crop_spectrum(cut(test::as_float(second), 40, 40, 480))), std::invalid_argument);
}

// Frames of 512 px or more are compared binned 2 x 2, which holds up at low dose: frames of 1024 px
// at 20 counts per pixel (an in-situ frame of a fraction of a second). Unbinned, the same pairs
// were off by up to 0.74 px (frame_drift.hpp).
TEST(FrameDrift, LowDoseFramesAreMeasuredBinned) {
  for (int t = 0; t < 2; ++t) {
    SynthHrtemOptions o;
    o.width_px = o.height_px = 1100;
    o.ordered_fraction = 0.15;
    o.seed = 3 + std::uint64_t(t);
    o.dose_counts = 20;
    o.noise_seed = 11 + std::uint64_t(t);
    const ImageF a = test::as_float(make_synth_hrtem(o).counts);
    o.noise_seed = 51 + std::uint64_t(t);
    const ImageF b = test::as_float(make_synth_hrtem(o).counts);
    const int mx = 7 + 5 * t, my = -3 - 4 * t;
    const DriftReference drift(cut(a, 40, 40, 1024));
    EXPECT_EQ(drift.crop_side(), 512);
    const FrameShift s = drift.shift_of(cut(b, 40 + mx, 40 + my, 1024));
    std::printf("20 counts/px, moved (%d, %d): measured (%.3f, %.3f), contrast %.1f\n", mx, my, s.dx_px, s.dy_px,
                s.peak_contrast);
    EXPECT_TRUE(s.reliable);
    EXPECT_NEAR(s.dx_px, -mx, 0.3);
    EXPECT_NEAR(s.dy_px, -my, 0.3);
  }
}

// Sub-pixel drift: one noiseless synthetic specimen shifted by known fractions of a pixel (exactly,
// by a phase ramp on its spectrum), each copy with its own shot noise of 400 counts per pixel, in
// frames of 512 px compared binned 2 x 2, as the probe's 200-frame stack drifting (0.30, 0.20) px a
// frame was. The parabola through the three samples around the correlation peak read such links
// about 7 % short (60 links: 0.278, 0.186), and the specimen track fell 5 px behind over 200
// frames; the band-limited interpolation of the surface reads them within 2 %.
TEST(FrameDrift, MeasuresSubPixelShiftsWithoutBias) {
  constexpr int kSide = 600;
  SynthHrtemOptions o;
  o.width_px = o.height_px = kSide;
  o.ordered_fraction = 0.15;
  o.seed = 7;
  o.dose_counts = 0;  // noiseless: each frame gets its own shot noise below
  const ImageF clean = test::as_float(make_synth_hrtem(o).counts);
  RealFft2d fft(kSide, kSide);
  std::copy(clean.pixels.begin(), clean.pixels.end(), fft.real());
  fft.forward();
  const std::size_t columns = std::size_t(fft.columns());
  const std::vector<std::complex<float>> spectrum(fft.spectrum(), fft.spectrum() + kSide * columns);
  // The specimen moved by (sx, sy) px: frame(x, y) = clean(x - sx, y - sy), with Poisson noise.
  auto frame = [&](double sx, double sy, std::uint64_t seed) {
    constexpr double kTwoPi = 6.283185307179586;
    for (int ky = 0; ky < kSide; ++ky)
      for (std::size_t kx = 0; kx < columns; ++kx) {
        const int fy = ky <= kSide / 2 ? ky : ky - kSide;
        const std::complex<double> ramp = std::polar(1.0, -kTwoPi * (double(kx) * sx + fy * sy) / kSide);
        const std::size_t i = std::size_t(ky) * columns + kx;
        fft.spectrum()[i] = std::complex<float>(std::complex<double>(spectrum[i]) * ramp);
      }
    fft.inverse();
    std::mt19937_64 rng(seed);
    ImageF out(kSide, kSide);
    for (std::size_t i = 0; i < out.pixels.size(); ++i) {
      std::poisson_distribution<int> counts(std::max(0.0, double(fft.real()[i]) / (double(kSide) * kSide)));
      out.pixels[i] = float(counts(rng));
    }
    return cut(out, 44, 44, 512);
  };
  const DriftReference drift(frame(0, 0, 1));
  EXPECT_EQ(drift.crop_side(), 256);  // binned
  double measured_dot_true = 0, true_squared = 0;
  std::uint64_t seed = 2;
  for (const auto& [sx, sy] :
       {std::pair{0.3, 0.2}, {0.2, 0.3}, {0.45, -0.3}, {-0.25, 0.15}, {0.1, -0.4}, {0.35, 0.35}}) {
    const FrameShift s = drift.shift_of(frame(sx, sy, seed++));
    std::printf("shifted (%.2f, %.2f): measured (%.3f, %.3f)\n", sx, sy, s.dx_px, s.dy_px);
    EXPECT_NEAR(s.dx_px, sx, 0.06);
    EXPECT_NEAR(s.dy_px, sy, 0.06);
    measured_dot_true += s.dx_px * sx + s.dy_px * sy;
    true_squared += sx * sx + sy * sy;
  }
  std::printf("measured / true: %.4f\n", measured_dot_true / true_squared);
  EXPECT_NEAR(measured_dot_true / true_squared, 1.0, 0.02);
}

TEST(FrameDrift, AddShiftedAddsWhereTheFrameHasThePixel) {
  ImageF total(4, 3, 0.f), frame(4, 3);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x) frame.at(x, y) = float(10 * y + x);
  add_shifted(total, frame, 1, -1);  // total(x, y) += frame(x + 1, y - 1)
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x) {
      const bool inside = x + 1 < 4 && y - 1 >= 0;
      EXPECT_EQ(total.at(x, y), inside ? float(10 * (y - 1) + x + 1) : 0.f) << x << ", " << y;
    }
}

}  // namespace
}  // namespace mgscope

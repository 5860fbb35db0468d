// Real SrTiO3 lattice images (TIA SER and Berkeley EMD): every box is a nanocrystal, and the
// per-box spacings agree with the whole-image FFT of the same file (issue 3's acceptance test).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "fitting/base/statistics.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "imaging/image_fft.hpp"
#include "imaging/io/read_image.hpp"
#include "tests/test_support.hpp"

namespace mgscope {

namespace {

struct Reflection {
  double d_nm, angle_deg, power;
};

// The strongest reflections of the whole image: local maxima of the Hann-windowed power spectrum
// in 0.15..0.60 nm, one per Friedel pair, refined by a log-parabola, strongest first.
std::vector<Reflection> whole_image_reflections(const ImageF& img, double pixel_nm) {
  ImageF w = img;
  double mean = 0;
  for (float v : img.pixels) mean += v;
  mean /= double(img.pixels.size());
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const double wx = 0.5 - 0.5 * std::cos(2 * M_PI * x / img.width);
      const double wy = 0.5 - 0.5 * std::cos(2 * M_PI * y / img.height);
      w.at(x, y) = float((img.at(x, y) - mean) * wx * wy);
    }
  const HalfSpectrum s = fft_forward(w);
  auto P = [&](int row, int col) {
    if (col < 0) {
      col = -col;
      row = -row;
    }
    row = ((row % s.height) + s.height) % s.height;
    return double(std::norm(s.data[std::size_t(row) * std::size_t(s.columns()) + std::size_t(col)]));
  };
  const double dqx = 1.0 / (img.width * pixel_nm), dqy = 1.0 / (img.height * pixel_nm);
  std::vector<Reflection> out;
  for (int ky = -s.height / 2 + 1; ky < s.height / 2; ++ky)
    for (int kx = 0; kx < s.columns() - 1; ++kx) {
      if (kx == 0 && ky <= 0) continue;
      const double q = std::hypot(kx * dqx, ky * dqy);
      if (q < 1 / 0.60 || q > 1 / 0.15) continue;
      const double p = P(ky, kx);
      bool is_max = true;
      for (int dy = -2; dy <= 2 && is_max; ++dy)
        for (int dx = -2; dx <= 2 && is_max; ++dx)
          if ((dx || dy) && P(ky + dy, kx + dx) > p) is_max = false;
      if (!is_max) continue;
      auto off = [](double a, double b, double c) {
        const double den = std::log(a) - 2 * std::log(b) + std::log(c);
        return den < 0 ? 0.5 * (std::log(a) - std::log(c)) / den : 0.0;
      };
      const double fx = kx + off(P(ky, kx - 1), p, P(ky, kx + 1));
      const double fy = ky + off(P(ky - 1, kx), p, P(ky + 1, kx));
      double ang = std::atan2(-fy * dqy, fx * dqx) * 180 / M_PI;
      if (ang < 0) ang += 180;
      out.push_back({1.0 / std::hypot(fx * dqx, fy * dqy), ang, p});
    }
  std::sort(out.begin(), out.end(), [](const Reflection& a, const Reflection& b) { return a.power > b.power; });
  return out;
}

void check_lattice_file(const std::string& path) {
  const LoadedImage img = read_image(path);
  const double pixel_nm = img.info.calibration.pixel_x_nm;
  const ImageF pixels = to_float(img.raw, path);
  HrtemOptions o;
  o.threads = 2;
  const HrtemResult r = analyse_hrtem(with_pixel_size(pixels, pixel_nm), o, path);
  // A real lattice filling the field: no box taken for vacuum, annotation or edge, every box a nanocrystal.
  EXPECT_EQ(r.region_counts[std::size_t(BoxRegion::specimen)], long(r.boxes.size())) << path;
  EXPECT_EQ(r.fractions.box_fraction[2], 1.0) << path;
  const auto refl = whole_image_reflections(pixels, pixel_nm);
  ASSERT_GE(refl.size(), 2u);
  int compared = 0;
  for (std::size_t k = 0; k < refl.size() && compared < 2; ++k) {
    if (k > 0 && std::fabs(refl[k].angle_deg - refl[0].angle_deg) < 10) continue;  // a second direction
    std::vector<double> d;
    for (const BoxResult& b : r.boxes)
      for (const Spot& s : b.features.spots) {
        double diff = std::fabs(s.angle_deg - refl[k].angle_deg);
        diff = std::min(diff, 180 - diff);
        if (diff < 5 && std::fabs(s.d_nm / refl[k].d_nm - 1) < 0.15) {
          d.push_back(s.d_nm);
          break;
        }
      }
    ASSERT_GE(d.size(), r.boxes.size() * 9 / 10) << "reflection at " << refl[k].angle_deg << " deg";
    const double med = median(d);
    std::printf("%s: whole-image d %.4f nm at %.1f deg, per-box median %.4f nm (%zu boxes)\n", path.c_str(),
                refl[k].d_nm, refl[k].angle_deg, med, d.size());
    EXPECT_NEAR(med, refl[k].d_nm, 0.03 * refl[k].d_nm);
    // The file's calibration puts SrTiO3 (110) 0.2761 nm 1-6 % high (issue 3).
    EXPECT_NEAR(refl[k].d_nm / 0.2761, 1.035, 0.035);
    ++compared;
  }
  EXPECT_EQ(compared, 2);
}

}  // namespace

TEST(RealLattice, TiaSerSrTiO3IsNanocrystalEverywhere) {
  MGSCOPE_SHARED_OR_SKIP(path, "hrtem/16_STOimage_1.ser");
  check_lattice_file(path);
}

TEST(RealLattice, BerkeleyEmdSrTiO3IsNanocrystalEverywhere) {
  MGSCOPE_SHARED_OR_SKIP(path, "hrtem/Acquisition_18.emd");
  check_lattice_file(path);
}

}  // namespace mgscope

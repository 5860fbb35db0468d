// ChirpDft (Bluestein) against the DFT computed term by term in long double, for the box sizes
// FFTW transforms slowly; and a 97 px BoxTransformer's power and ACF against the same reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <random>
#include <vector>

#include "imaging/box_transform.hpp"
#include "imaging/chirp_dft.hpp"
#include "imaging/window.hpp"

namespace mgscope {
namespace {

using Complex = std::complex<float>;
using Exact = std::complex<long double>;

// X[k] = sum_j x[j] exp(sign 2 pi i j k / n), the angle reduced modulo n in integers.
std::vector<Exact> exact_dft(const std::vector<Exact>& x, int sign) {
  const auto n = long(x.size());
  const long double pi = 3.141592653589793238462643383279L;
  std::vector<Exact> turn(x.size());  // exp(sign 2 pi i t / n)
  for (long t = 0; t < n; ++t) turn[std::size_t(t)] = std::polar(1.0L, sign * 2 * pi * t / n);
  std::vector<Exact> out(x.size());
  for (long k = 0; k < n; ++k) {
    Exact sum = 0;
    for (long j = 0; j < n; ++j) sum += x[std::size_t(j)] * turn[std::size_t((j * k) % n)];
    out[std::size_t(k)] = sum;
  }
  return out;
}

std::vector<Complex> random_complex(std::size_t count, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.f, 1.f);
  std::vector<Complex> v(count);
  for (auto& c : v) c = Complex(g(rng), g(rng));
  return v;
}

// Largest |got - want| over the largest |want|.
double relative_error(const std::vector<Complex>& got, const std::vector<Exact>& want) {
  long double worst = 0, top = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    worst = std::max(worst, std::abs(Exact(got[i].real(), got[i].imag()) - want[i]));
    top = std::max(top, std::abs(want[i]));
  }
  return double(worst / top);
}

TEST(ChirpDft, TakesTheSizesWithAPrimeFactorOf17OrMore) {
  for (int n : {97, 101, 94, 95, 85, 187, 17, 34, 194}) EXPECT_TRUE(chirp_dft_pays(n)) << n;
  for (int n : {100, 96, 98, 64, 91, 143, 169, 13, 2, 1}) EXPECT_FALSE(chirp_dft_pays(n)) << n;
}

TEST(ChirpDft, ForwardAndBackwardAreTheDftOfStridedSequences) {
  for (int n : {17, 37, 94, 95, 97, 113, 127, 187}) {
    ChirpDft dft(n);
    // Three sequences, element j of sequence s at 2 j + s * (2 n + 1): strides other than 1 as
    // the columns of a box are read.
    const std::ptrdiff_t stride = 2, dist = 2 * n + 1;
    const std::vector<Complex> in = random_complex(std::size_t(3 * dist), unsigned(n));
    for (int sign : {-1, +1}) {
      std::vector<Complex> out(in.size());
      dft.dft(in.data(), stride, dist, out.data(), stride, dist, 3, sign);
      for (int s = 0; s < 3; ++s) {
        std::vector<Exact> x(static_cast<std::size_t>(n));
        std::vector<Complex> got(static_cast<std::size_t>(n));
        for (int j = 0; j < n; ++j) {
          const Complex v = in[std::size_t(s * dist + j * stride)];
          x[std::size_t(j)] = Exact(v.real(), v.imag());
          got[std::size_t(j)] = out[std::size_t(s * dist + j * stride)];
        }
        EXPECT_LT(relative_error(got, exact_dft(x, sign)), 2e-6) << "n " << n << " sign " << sign << " seq " << s;
      }
    }
    // In place, as the box's columns are transformed.
    std::vector<Complex> inplace = in, apart(in.size());
    dft.dft(in.data(), stride, dist, apart.data(), stride, dist, 3, -1);
    dft.dft(inplace.data(), stride, dist, inplace.data(), stride, dist, 3, -1);
    for (int s = 0; s < 3; ++s)
      for (int j = 0; j < n; ++j) {
        const auto i = std::size_t(s * dist + j * stride);
        EXPECT_EQ(inplace[i], apart[i]);
      }
  }
}

// Three rows (two packed as one sequence, one alone) of even and odd lengths.
TEST(ChirpDft, RealRowsAreFftwsR2cAndHermitianRowsItsC2r) {
  for (int n : {94, 97}) {
    ChirpDft dft(n);
    const int half = n / 2 + 1, rows = 3;
    const std::vector<Complex> noise = random_complex(std::size_t(rows * n), unsigned(n + 7));
    std::vector<float> real(noise.size());
    for (std::size_t i = 0; i < real.size(); ++i) real[i] = noise[i].real();
    std::vector<Complex> spec(std::size_t(rows * half));
    dft.real_rows(real.data(), n, spec.data(), half, rows);
    for (int r = 0; r < rows; ++r) {
      std::vector<Exact> x(static_cast<std::size_t>(n));
      for (int j = 0; j < n; ++j) x[std::size_t(j)] = Exact(real[std::size_t(r * n + j)], 0);
      std::vector<Exact> want = exact_dft(x, -1);
      want.resize(std::size_t(half));
      const std::vector<Complex> got(spec.begin() + r * half, spec.begin() + (r + 1) * half);
      EXPECT_LT(relative_error(got, want), 2e-6) << "n " << n << " row " << r;
      EXPECT_EQ(got[0].imag(), 0.f);
      if (n % 2 == 0) EXPECT_EQ(got[std::size_t(n / 2)].imag(), 0.f);
    }
    // c2r of the spectra gives n times the rows back; an imaginary part on the zero frequency (and
    // Nyquist) is ignored, as by FFTW.
    for (int r = 0; r < rows; ++r) {
      spec[std::size_t(r * half)] += Complex(0.f, 5.f);
      if (n % 2 == 0) spec[std::size_t(r * half + n / 2)] += Complex(0.f, -3.f);
    }
    std::vector<float> back(real.size());
    dft.hermitian_rows(spec.data(), half, back.data(), n, rows);
    double worst = 0, top = 0;
    for (std::size_t i = 0; i < real.size(); ++i) {
      worst = std::max(worst, std::fabs(double(back[i]) / n - real[i]));
      top = std::max(top, std::fabs(double(real[i])));
    }
    EXPECT_LT(worst, 2e-6 * top) << "n " << n;
  }
}

// The 2-D r2c against rows then columns of the exact DFT; the banded transform's kept columns are
// the full one's to the bit; c2r undoes r2c (times n^2).
TEST(ChirpDft, TwoDimensionalBoxTransforms) {
  const int n = 97, half = n / 2 + 1;
  ChirpDft dft(n);
  const std::vector<Complex> noise = random_complex(std::size_t(n * n), 3);
  std::vector<float> box(noise.size());
  for (std::size_t i = 0; i < box.size(); ++i) box[i] = noise[i].real();
  std::vector<Complex> full(std::size_t(n * half)), banded(full.size());
  dft.r2c_2d(box.data(), full.data(), half);
  dft.r2c_2d(box.data(), banded.data(), 19);
  std::vector<std::vector<Exact>> rows(static_cast<std::size_t>(n));
  for (int y = 0; y < n; ++y) {
    std::vector<Exact> x(static_cast<std::size_t>(n));
    for (int j = 0; j < n; ++j) x[std::size_t(j)] = Exact(box[std::size_t(y * n + j)], 0);
    rows[std::size_t(y)] = exact_dft(x, -1);
  }
  for (int k = 0; k < half; ++k) {
    std::vector<Exact> column(static_cast<std::size_t>(n));
    for (int y = 0; y < n; ++y) column[std::size_t(y)] = rows[std::size_t(y)][std::size_t(k)];
    const std::vector<Exact> want = exact_dft(column, -1);
    std::vector<Complex> got(static_cast<std::size_t>(n));
    for (int y = 0; y < n; ++y) got[std::size_t(y)] = full[std::size_t(y * half + k)];
    EXPECT_LT(relative_error(got, want), 3e-6) << "column " << k;
    if (k < 19)
      for (int y = 0; y < n; ++y) EXPECT_EQ(banded[std::size_t(y * half + k)], full[std::size_t(y * half + k)]);
  }
  std::vector<float> back(box.size());
  dft.c2r_2d(full.data(), back.data(), n);
  double worst = 0;
  for (std::size_t i = 0; i < box.size(); ++i) worst = std::max(worst, std::fabs(double(back[i]) / (n * n) - box[i]));
  EXPECT_LT(worst, 5e-6);
}

// A 97 px box through BoxTransformer: power = |DFT of normalised x window|^2 and the ACF = the
// inverse DFT of the power over its zero lag, against the exact 2-D DFT (rows, then columns).
TEST(ChirpDft, BoxTransformerOfA97PxBox) {
  const int n = 97, half = n / 2 + 1;
  ImageF image(n, n);
  std::mt19937 rng(11);
  std::normal_distribution<float> g(1000.f, 30.f);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      image.pixels[std::size_t(y * n + x)] = g(rng) + 200.f * float(std::cos(0.9 * x + 0.4 * y)) + 2.f * float(x);
  BoxTransformer tr(n, WindowKind::hann, AcfMode::circular);
  ASSERT_TRUE(tr.transform(image, 0, 0));
  const std::vector<float> window = make_window_2d(WindowKind::hann, n);
  auto dft_2d = [&](const std::vector<Exact>& in, int sign) {  // n x n, rows then columns
    std::vector<Exact> out(in.size());
    for (int y = 0; y < n; ++y) {
      const std::vector<Exact> row = exact_dft(std::vector<Exact>(in.begin() + y * n, in.begin() + (y + 1) * n), sign);
      std::copy(row.begin(), row.end(), out.begin() + y * n);
    }
    for (int x = 0; x < n; ++x) {
      std::vector<Exact> column(static_cast<std::size_t>(n));
      for (int y = 0; y < n; ++y) column[std::size_t(y)] = out[std::size_t(y * n + x)];
      column = exact_dft(column, sign);
      for (int y = 0; y < n; ++y) out[std::size_t(y * n + x)] = column[std::size_t(y)];
    }
    return out;
  };
  std::vector<Exact> windowed(std::size_t(n * n));
  for (std::size_t i = 0; i < windowed.size(); ++i) windowed[i] = Exact(tr.normalised()[i] * window[i], 0);
  const std::vector<Exact> spectrum = dft_2d(windowed, -1);
  std::vector<Exact> power(spectrum.size());
  long double top = 0, worst = 0;
  for (std::size_t i = 0; i < spectrum.size(); ++i) {
    power[i] = std::norm(spectrum[i]);
    top = std::max(top, power[i].real());
  }
  for (int y = 0; y < n; ++y)
    for (int k = 0; k < half; ++k)
      worst = std::max(worst, std::fabs(tr.power()[y * half + k] - power[std::size_t(y * n + k)].real()));
  EXPECT_LT(double(worst / top), 3e-6);
  const std::vector<Exact> acf = dft_2d(power, +1);
  worst = 0;
  for (std::size_t i = 0; i < acf.size(); ++i)
    worst = std::max(worst, std::fabs(tr.acf()[i] - acf[i].real() / acf[0].real()));
  EXPECT_LT(double(worst), 3e-6);
  EXPECT_EQ(tr.acf()[0], 1.f);
}

}  // namespace
}  // namespace mgscope

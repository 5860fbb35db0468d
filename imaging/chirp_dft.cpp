// Bluestein: with j k = (j^2 + k^2 - (k - j)^2) / 2 the DFT is
//   X[k] = c[k] sum_j (x[j] c[j]) conj(c[k - j]),   c[m] = exp(-i pi m^2 / n),
// a convolution of x c with conj(c), computed as a circular one of length L >= 2n - 1 by FFTW's
// fast transforms of L. The chirp and the convolution kernel's transform are made once per size
// in double and kept for the process.
#include "imaging/chirp_dft.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <cstdint>
#include <map>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "imaging/fftw_planner.hpp"
#include "imaging/target_clones.hpp"

namespace mgscope {

namespace {

constexpr double kPi = 3.14159265358979323846;
// Sizes with a prime factor below this keep FFTW's own transforms (see chirp_dft_pays).
constexpr int kSlowPrime = 17;

int largest_prime_factor(int n) {
  int largest = 1;
  for (int d = 2; d * d <= n; ++d)
    while (n % d == 0) {
      largest = d;
      n /= d;
    }
  return n > 1 ? std::max(largest, n) : largest;
}

// The smallest 2^a, 3 x 2^a or 5 x 2^a >= n: lengths FFTW transforms with its fastest codelets
// (other 5-smooth lengths such as 216 or 250 took it 2-3x longer than 256).
int fast_length_at_least(int n) {
  int best = 0;
  for (int base : {1, 3, 5}) {
    int l = base;
    while (l < n) l *= 2;
    if (best == 0 || l < best) best = l;
  }
  return best;
}

}  // namespace

bool chirp_dft_pays(int n) { return n > 2 && largest_prime_factor(n) >= kSlowPrime; }

struct ChirpDft::Tables {
  int n = 0, length = 0;
  std::vector<Complex> chirp;   // c[m], m = 0 .. n-1
  std::vector<Complex> kernel;  // DFT_L of conj(c) wrapped around, divided by L
  fftwf_plan forward = nullptr, backward = nullptr;  // L values, out of place (in place, FFTW buffers
                                                     // through memory it allocates at every call)
  ~Tables() {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    if (forward) fftwf_destroy_plan(forward);
    if (backward) fftwf_destroy_plan(backward);
  }
};

namespace {

std::shared_ptr<const ChirpDft::Tables> make_tables(int n) {
  using Complex = ChirpDft::Complex;
  auto t = std::make_shared<ChirpDft::Tables>();
  t->n = n;
  t->length = fast_length_at_least(2 * n - 1);
  const int L = t->length;
  // c[m] = exp(-i pi m^2 / n); m^2 is reduced modulo 2n in integers first, so the angle stays
  // below 2 pi and carries no rounding of a large argument.
  std::vector<std::complex<double>> c(static_cast<std::size_t>(n));
  for (int m = 0; m < n; ++m) {
    const auto r = (std::int64_t(m) * m) % (2 * std::int64_t(n));
    c[std::size_t(m)] = std::polar(1.0, -kPi * double(r) / double(n));
    t->chirp.push_back(Complex(c[std::size_t(m)]));
  }
  // b[m] = conj(c[m]) at m and at L - m: an even sequence, so DFT_L(b)[k] = b[0] + 2 sum_m b[m]
  // cos(2 pi m k / L), in double with the angle reduced modulo L in integers.
  std::vector<double> cosine(static_cast<std::size_t>(L));
  for (int i = 0; i < L; ++i) cosine[std::size_t(i)] = std::cos(2 * kPi * double(i) / double(L));
  t->kernel.resize(std::size_t(L));
  for (int k = 0; k < L; ++k) {
    std::complex<double> sum = std::conj(c[0]);
    for (int m = 1; m < n; ++m)
      sum += 2.0 * std::conj(c[std::size_t(m)]) * cosine[std::size_t((std::int64_t(m) * k) % L)];
    t->kernel[std::size_t(k)] = Complex(sum / double(L));
  }
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  fftwf_complex* a = fftwf_alloc_complex(std::size_t(L));
  fftwf_complex* b = fftwf_alloc_complex(std::size_t(L));
  if (a && b) {
    t->forward = fftwf_plan_dft_1d(L, a, b, FFTW_FORWARD, FFTW_ESTIMATE);  // FFTW_ESTIMATE: a plan by
    t->backward = fftwf_plan_dft_1d(L, b, a, FFTW_BACKWARD, FFTW_ESTIMATE);  // rule, the same numbers every run
  }
  fftwf_free(a);
  fftwf_free(b);
  if (!a || !b) throw std::bad_alloc();
  if (!t->forward || !t->backward) throw std::runtime_error("FFTW could not plan a transform of " + std::to_string(L));
  return t;
}

// Made once per size and kept for the process (a run sees one or two box sizes).
std::shared_ptr<const ChirpDft::Tables> tables_for(int n) {
  fftw_planner_mutex();  // made first, so that FFTW is cleaned up after these plans are destroyed
  static std::mutex mutex;
  static std::map<int, std::shared_ptr<const ChirpDft::Tables>> kept;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = kept[n];
  if (!slot) slot = make_tables(n);
  return slot;
}

}  // namespace

ChirpDft::ChirpDft(int n) : t_(tables_for(n)) {
  const auto L = std::size_t(t_->length);
  chirped_ = reinterpret_cast<Complex*>(fftwf_alloc_complex(L));
  spectrum_ = reinterpret_cast<Complex*>(fftwf_alloc_complex(L));
  convolved_ = reinterpret_cast<Complex*>(fftwf_alloc_complex(L));
  pair_ = reinterpret_cast<Complex*>(fftwf_alloc_complex(std::size_t(n)));
  if (!chirped_ || !spectrum_ || !convolved_ || !pair_) {
    release();
    throw std::bad_alloc();
  }
  for (std::size_t j = 0; j < L; ++j) chirped_[j] = Complex(0.f, 0.f);  // the zero padding
}

ChirpDft::~ChirpDft() { release(); }

void ChirpDft::release() {
  for (Complex* p : {chirped_, spectrum_, convolved_, pair_}) fftwf_free(p);
}

int ChirpDft::n() const { return t_->n; }

// a b, or conj(a) b: written out, since std::complex's operator* checks its result for NaN and
// calls a library function then, which keeps the loops below from vectorising.
inline ChirpDft::Complex times(ChirpDft::Complex a, ChirpDft::Complex b) {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}
inline ChirpDft::Complex conj_times(ChirpDft::Complex a, ChirpDft::Complex b) {
  return {a.real() * b.real() + a.imag() * b.imag(), a.real() * b.imag() - a.imag() * b.real()};
}

// One sequence. The backward DFT is the conjugate of the forward one of the conjugate input. Its
// loops run in AVX where the processor has it (target_clones.hpp): 1.2x on a 97 px box pair.
MGSCOPE_AVX_CLONES void ChirpDft::one(const Complex* in, std::ptrdiff_t stride, Complex* out, std::ptrdiff_t out_stride,
                                      int sign) {
  const int n = t_->n, L = t_->length;
  const Complex* c = t_->chirp.data();
  const Complex* kernel = t_->kernel.data();
  Complex* w = chirped_;  // values n .. L - 1 stay zero
  if (sign < 0)
    for (int j = 0; j < n; ++j) w[j] = times(in[j * stride], c[j]);
  else
    for (int j = 0; j < n; ++j) w[j] = conj_times(in[j * stride], c[j]);
  fftwf_execute_dft(t_->forward, reinterpret_cast<fftwf_complex*>(w), reinterpret_cast<fftwf_complex*>(spectrum_));
  for (int k = 0; k < L; ++k) spectrum_[k] = times(spectrum_[k], kernel[k]);
  fftwf_execute_dft(t_->backward, reinterpret_cast<fftwf_complex*>(spectrum_),
                    reinterpret_cast<fftwf_complex*>(convolved_));
  const Complex* v = convolved_;
  if (sign < 0)
    for (int k = 0; k < n; ++k) out[k * out_stride] = times(v[k], c[k]);
  else
    for (int k = 0; k < n; ++k) out[k * out_stride] = std::conj(times(v[k], c[k]));
}

void ChirpDft::dft(const Complex* in, std::ptrdiff_t stride, std::ptrdiff_t dist, Complex* out,
                   std::ptrdiff_t out_stride, std::ptrdiff_t out_dist, int count, int sign) {
  for (int s = 0; s < count; ++s) one(in + s * dist, stride, out + s * out_dist, out_stride, sign);
}

void ChirpDft::real_rows(const float* in, std::ptrdiff_t in_dist, Complex* out, std::ptrdiff_t out_dist, int count) {
  const int n = t_->n, half = n / 2 + 1;
  int r = 0;
  for (; r + 1 < count; r += 2) {
    // z = a + i b; then A[k] = (Z[k] + conj Z[n-k]) / 2 and B[k] = (Z[k] - conj Z[n-k]) / 2i.
    const float* a = in + r * in_dist;
    const float* b = a + in_dist;
    for (int j = 0; j < n; ++j) pair_[j] = Complex(a[j], b[j]);
    one(pair_, 1, pair_, 1, -1);
    Complex* oa = out + r * out_dist;
    Complex* ob = oa + out_dist;
    for (int k = 0; k < half; ++k) {
      const Complex z = pair_[k], zm = std::conj(pair_[k == 0 ? 0 : n - k]);
      const Complex sum = z + zm, diff = z - zm;
      oa[k] = Complex(0.5f * sum.real(), 0.5f * sum.imag());
      ob[k] = Complex(0.5f * diff.imag(), -0.5f * diff.real());
    }
  }
  if (r < count) {  // an odd row out: alone, its imaginary part zero
    const float* a = in + r * in_dist;
    for (int j = 0; j < n; ++j) pair_[j] = Complex(a[j], 0.f);
    one(pair_, 1, pair_, 1, -1);
    Complex* oa = out + r * out_dist;
    oa[0] = Complex(pair_[0].real(), 0.f);
    for (int k = 1; k < half; ++k) oa[k] = pair_[k];
    if (n % 2 == 0) oa[n / 2] = Complex(pair_[n / 2].real(), 0.f);
  }
}

void ChirpDft::hermitian_rows(const Complex* in, std::ptrdiff_t in_dist, float* out, std::ptrdiff_t out_dist,
                              int count) {
  const int n = t_->n, half = n / 2 + 1;
  // Row a's full Hermitian spectrum plus i times row b's (b = nullptr: none): coefficients k < half
  // as given, the others conj(row[n - k]); the imaginary parts FFTW ignores (k = 0, and n / 2 for
  // even n) taken as 0. Written out: std::complex's i * z would call the library's NaN check.
  auto packed = [&](const Complex* a, const Complex* b) {
    for (int k = 0; k < n; ++k) {
      const bool mirrored = k >= half;
      const Complex za = mirrored ? std::conj(a[n - k]) : a[k];
      const Complex zb = b ? (mirrored ? std::conj(b[n - k]) : b[k]) : Complex(0.f, 0.f);
      const bool real_only = k == 0 || 2 * k == n;
      const float ai = real_only ? 0.f : za.imag(), bi = real_only ? 0.f : zb.imag();
      pair_[k] = Complex(za.real() - bi, ai + zb.real());  // za + i zb
    }
  };
  int r = 0;
  for (; r + 1 < count; r += 2) {  // two real outputs as the real and imaginary parts of one
    const Complex* a = in + r * in_dist;
    packed(a, a + in_dist);
    one(pair_, 1, pair_, 1, +1);
    float* oa = out + r * out_dist;
    float* ob = oa + out_dist;
    for (int j = 0; j < n; ++j) {
      oa[j] = pair_[j].real();
      ob[j] = pair_[j].imag();
    }
  }
  if (r < count) {
    packed(in + r * in_dist, nullptr);
    one(pair_, 1, pair_, 1, +1);
    float* oa = out + r * out_dist;
    for (int j = 0; j < n; ++j) oa[j] = pair_[j].real();
  }
}

void ChirpDft::r2c_2d(const float* in, Complex* out, int columns) {
  const int n = t_->n, half = n / 2 + 1;
  real_rows(in, n, out, half, n);
  dft(out, half, 1, out, half, 1, columns, -1);
}

void ChirpDft::c2r_2d(Complex* in, float* out, int rows) {
  const int n = t_->n, half = n / 2 + 1;
  dft(in, half, 1, in, half, 1, half, +1);
  // The rows in the pairs of the full transform (0 with 1, 2 with 3 ...), so that a row's numbers do
  // not depend on how many rows are asked for: an odd last row is paired with the next one, whose
  // values are dropped.
  const int paired = rows % 2 == 1 && rows < n ? rows - 1 : rows;
  hermitian_rows(in, half, out, n, paired);
  if (paired < rows) {
    last_pair_.resize(std::size_t(2) * std::size_t(n));
    hermitian_rows(in + std::ptrdiff_t(paired) * half, half, last_pair_.data(), n, 2);
    std::copy(last_pair_.begin(), last_pair_.begin() + n, out + std::ptrdiff_t(paired) * n);
  }
}

}  // namespace mgscope

// FFTW_ESTIMATE is deliberate: FFTW_MEASURE picks algorithms by timing, so two runs (or a
// 1-thread and a 2-thread run) could round differently and tiles.csv would not be byte-identical.
#include "imaging/box_transform.hpp"

#include <fftw3.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#include "imaging/fftw_planner.hpp"

namespace mgscope {

namespace {

// Two plans: the full 2-D r2c and c2r of a size, or (banded) the r2c of each row and the DFTs
// down the first `columns` columns.
struct PlanPair {
  fftwf_plan first = nullptr;
  fftwf_plan second = nullptr;
};

// FFTW computes a 2-D r2c as rows then columns, and for most sizes with the same codelets as the
// banded pair, so the kept columns come out bit for bit the same; where its estimate picks another
// algorithm for one of the two (187 px here), they differ in the last bits. The banded pair is
// used only when a pseudo-random box gives exactly the full transform's numbers, so the outputs
// never depend on which path ran.
bool same_as_full_transform(const PlanPair& banded, int size, int columns) {
  const int half = size / 2 + 1;
  const std::size_t nr = std::size_t(size) * std::size_t(size), nc = std::size_t(size) * std::size_t(half);
  std::unique_ptr<float, decltype(&fftwf_free)> r(fftwf_alloc_real(nr), &fftwf_free), r_copy(fftwf_alloc_real(nr), &fftwf_free);
  std::unique_ptr<fftwf_complex, decltype(&fftwf_free)> full(fftwf_alloc_complex(nc), &fftwf_free),
      band(fftwf_alloc_complex(nc), &fftwf_free);
  if (!r || !r_copy || !full || !band) throw std::bad_alloc();
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  for (std::size_t i = 0; i < nr; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    r.get()[i] = float(state >> 40) * 0x1.0p-24f - 0.5f;
  }
  std::memcpy(r_copy.get(), r.get(), sizeof(float) * nr);  // FFTW may overwrite an r2c input
  fftwf_plan full_plan = fftwf_plan_dft_r2c_2d(size, size, r.get(), full.get(), FFTW_ESTIMATE);
  if (!full_plan) return false;
  fftwf_execute(full_plan);
  fftwf_destroy_plan(full_plan);
  fftwf_execute_dft_r2c(banded.first, r_copy.get(), band.get());
  fftwf_execute_dft(banded.second, band.get(), band.get());
  for (int y = 0; y < size; ++y)
    if (std::memcmp(full.get() + std::size_t(y) * half, band.get() + std::size_t(y) * half,
                    sizeof(fftwf_complex) * std::size_t(columns)) != 0)
      return false;
  return true;
}

// Plans live for the whole program (a handful of sizes at most) and are destroyed at exit, so
// leak checkers see FFTW's memory returned. Key: (size, 0) full, (size, columns) banded.
struct PlanCache {
  std::map<std::pair<int, int>, PlanPair> plans;
  ~PlanCache() {
    for (auto& [key, p] : plans) {
      if (p.first) fftwf_destroy_plan(p.first);
      if (p.second) fftwf_destroy_plan(p.second);
    }
    fftwf_cleanup();
  }
};

const PlanPair& plans_for(int size, int columns = 0) {
  static PlanCache cache_holder;
  auto& cache = cache_holder.plans;
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  auto it = cache.find({size, columns});
  if (it != cache.end()) return it->second;
  const int half = size / 2 + 1;
  const std::size_t nr = std::size_t(size) * std::size_t(size);
  const std::size_t nc = std::size_t(size) * std::size_t(half);
  float* r = fftwf_alloc_real(nr);
  fftwf_complex* c = fftwf_alloc_complex(nc);
  if (!r || !c) throw std::bad_alloc();
  PlanPair p;
  if (columns == 0) {
    p.first = fftwf_plan_dft_r2c_2d(size, size, r, c, FFTW_ESTIMATE);
    p.second = fftwf_plan_dft_c2r_2d(size, size, c, r, FFTW_ESTIMATE);
    if (!p.first || !p.second) throw std::runtime_error("FFTW could not plan a " + std::to_string(size) + " px box transform");
  } else {
    const int len[1] = {size};
    p.first = fftwf_plan_many_dft_r2c(1, len, size, r, nullptr, 1, size, c, nullptr, 1, half, FFTW_ESTIMATE);
    p.second = fftwf_plan_many_dft(1, len, columns, c, nullptr, half, 1, c, nullptr, half, 1, FFTW_FORWARD, FFTW_ESTIMATE);
    if (!p.first || !p.second || !same_as_full_transform(p, size, columns)) {
      if (p.first) fftwf_destroy_plan(p.first);
      if (p.second) fftwf_destroy_plan(p.second);
      p = PlanPair{};  // BoxTransformer then computes every column
    }
  }
  fftwf_free(r);
  fftwf_free(c);
  return cache.emplace(std::make_pair(size, columns), p).first->second;
}

// The plane fit's sums over one row in four lanes, lane k taking the pixels x = k mod 4 of the
// whole groups of four, each in order: s[k] += f, q[k] += f^2, xs[k] += x f, in double; the pixels
// after the last group go to lane 0. With SSE2 two lanes go in one register, with the same
// operations in the same order per lane, so the sums are the scalar loop's to the bit; the
// compiler had left that loop scalar (a third of a sliding box's own time).
void row_lane_sums(const float* row, int n, double* s, double* q, double* xs) {
  int x = 0;
#if defined(__SSE2__)
  __m128d s01 = _mm_setzero_pd(), s23 = _mm_setzero_pd(), q01 = _mm_setzero_pd(), q23 = _mm_setzero_pd();
  __m128d xs01 = _mm_setzero_pd(), xs23 = _mm_setzero_pd();
  __m128d x01 = _mm_set_pd(1.0, 0.0), x23 = _mm_set_pd(3.0, 2.0);  // (x + k) for the two lanes
  const __m128d four = _mm_set1_pd(4.0);
  for (; x + 4 <= n; x += 4) {
    const __m128 v = _mm_loadu_ps(row + x);
    const __m128d v01 = _mm_cvtps_pd(v), v23 = _mm_cvtps_pd(_mm_movehl_ps(v, v));
    s01 = _mm_add_pd(s01, v01);
    s23 = _mm_add_pd(s23, v23);
    q01 = _mm_add_pd(q01, _mm_mul_pd(v01, v01));
    q23 = _mm_add_pd(q23, _mm_mul_pd(v23, v23));
    xs01 = _mm_add_pd(xs01, _mm_mul_pd(x01, v01));
    xs23 = _mm_add_pd(xs23, _mm_mul_pd(x23, v23));
    x01 = _mm_add_pd(x01, four);
    x23 = _mm_add_pd(x23, four);
  }
  _mm_storeu_pd(s, s01);
  _mm_storeu_pd(s + 2, s23);
  _mm_storeu_pd(q, q01);
  _mm_storeu_pd(q + 2, q23);
  _mm_storeu_pd(xs, xs01);
  _mm_storeu_pd(xs + 2, xs23);
#else
  for (int k = 0; k < 4; ++k) s[k] = q[k] = xs[k] = 0;
  for (; x + 4 <= n; x += 4)
    for (int k = 0; k < 4; ++k) {
      const double val = row[x + k];
      s[k] += val;
      q[k] += val * val;
      xs[k] += double(x + k) * val;
    }
#endif
  for (; x < n; ++x) {
    const double val = row[x];
    s[0] += val;
    q[0] += val * val;
    xs[0] += double(x) * val;
  }
}

}  // namespace

BoxTransformer::BoxTransformer(int box_px, WindowKind window, AcfMode acf, bool with_acf, int highest_column)
    : n_(box_px), m_(acf == AcfMode::linear ? 2 * box_px : box_px), acf_mode_(acf), with_acf_(with_acf),
      window_(make_window_2d(window, box_px)), normalised_(std::size_t(box_px) * std::size_t(box_px), 0.f),
      power_(std::size_t(box_px) * std::size_t(box_px / 2 + 1), 0.f),
      columns_(highest_column < 0 ? box_px / 2 + 1 : std::min(highest_column + 1, box_px / 2 + 1)) {
  if (with_acf && columns_ < half()) throw std::invalid_argument("BoxTransformer: the ACF needs every spectrum column");
  for (float w : window_) window_energy_ += double(w) * w;
  // Looked up once here: transform() runs per box on many threads and must not take the lock.
  const PlanPair& pn = plans_for(n_);
  r2c_n_ = pn.first;
  c2r_n_ = pn.second;
  if (columns_ < half()) {
    const PlanPair& pb = plans_for(n_, columns_);
    rows_r2c_ = pb.first;
    columns_dft_ = pb.second;
    if (!rows_r2c_) columns_ = half();  // no banded pair with the full transform's numbers
  }
  if (acf_mode_ == AcfMode::linear) {
    const PlanPair& pm = plans_for(m_);
    r2c_m_ = pm.first;
    c2r_m_ = pm.second;
  }
  real_n_ = fftwf_alloc_real(std::size_t(n_) * std::size_t(n_));
  spec_n_ = fftwf_alloc_complex(std::size_t(n_) * std::size_t(half()));
  if (acf_mode_ == AcfMode::linear) {
    real_m_ = fftwf_alloc_real(std::size_t(m_) * std::size_t(m_));
    spec_m_ = fftwf_alloc_complex(std::size_t(m_) * std::size_t(m_ / 2 + 1));
  }
  acf_ = fftwf_alloc_real(std::size_t(m_) * std::size_t(m_));
  if (!real_n_ || !spec_n_ || !acf_ || (acf_mode_ == AcfMode::linear && (!real_m_ || !spec_m_))) {
    this->~BoxTransformer();
    throw std::bad_alloc();
  }
  std::memset(acf_, 0, sizeof(float) * std::size_t(m_) * std::size_t(m_));
}

BoxTransformer::~BoxTransformer() {
  fftwf_free(real_n_);
  fftwf_free(spec_n_);
  fftwf_free(real_m_);
  fftwf_free(spec_m_);
  fftwf_free(acf_);
  real_n_ = nullptr;
  spec_n_ = spec_m_ = nullptr;
  real_m_ = acf_ = nullptr;
}

bool BoxTransformer::transform(const ImageF& image, int x0, int y0) {
  return transform(image.row(y0) + x0, image.width);
}

bool BoxTransformer::transform(const StoredImage& image, int x0, int y0) {
  if (const ImageF* f = image.floats()) return transform(*f, x0, y0);
  box_.resize(std::size_t(n_) * std::size_t(n_));
  image.copy_block(x0, y0, n_, n_, box_.data(), n_);
  return transform(box_.data(), n_);
}

bool BoxTransformer::transform(const float* box, std::ptrdiff_t row_stride) {
  const int n = n_;
  const std::size_t nn = std::size_t(n) * std::size_t(n);
  // Mean, plane and variance in double: a 100 x 100 box of 16-bit counts loses digits in float.
  // With centred coordinates u = x - (n-1)/2, v = y - (n-1)/2 the plane's three terms are
  // orthogonal, so its slopes are sum(u f) / sum(u^2) and sum(v f) / sum(v^2).
  // Per row, four interleaved partial sums of each kind: four independent chains of additions
  // instead of one, so the pass runs at the adders' throughput rather than their latency (it was
  // most of the transform's own time beside the FFT).
  const double c = 0.5 * (n - 1);
  double sum = 0, sum2 = 0, su = 0, sv = 0;
  for (int y = 0; y < n; ++y) {
    const float* row = box + y * row_stride;
    double s[4], q[4], xs[4];  // sums of f, f^2, x f
    row_lane_sums(row, n, s, q, xs);
    const double row_sum = (s[0] + s[1]) + (s[2] + s[3]);
    sum += row_sum;
    sum2 += (q[0] + q[1]) + (q[2] + q[3]);
    su += ((xs[0] + xs[1]) + (xs[2] + xs[3])) - c * row_sum;
    sv += (y - c) * row_sum;
  }
  const double mean = sum / double(nn);
  const double uu = double(n) * double(n) * (double(n) * n - 1) / 12.0;  // sum of u^2 over the box
  const double slope_x = su / uu, slope_y = sv / uu;
  const double var = sum2 / double(nn) - mean * mean - (slope_x * su + slope_y * sv) / double(nn);
  if (!(var > 1e-12 * (mean * mean + 1e-30))) {
    std::fill(power_.begin(), power_.end(), 0.f);
    std::memset(acf_, 0, sizeof(float) * std::size_t(m_) * std::size_t(m_));  // acf_[0] = 0 marks a flat box
    return false;
  }
  const float inv_sd = float(1.0 / std::sqrt(var));
  for (int y = 0; y < n; ++y) {
    const float* row = box + y * row_stride;
    const float* w = window_.data() + std::size_t(y) * std::size_t(n);
    float* norm = normalised_.data() + std::size_t(y) * std::size_t(n);
    float* out = real_n_ + std::size_t(y) * std::size_t(n);
    const float base = float(mean + slope_y * (y - c) - slope_x * c);
    const float sx = float(slope_x);
    for (int x = 0; x < n; ++x) {
      norm[x] = (row[x] - base - sx * float(x)) * inv_sd;
      out[x] = norm[x] * w[x];
    }
  }
  auto* spec = static_cast<fftwf_complex*>(spec_n_);
  const std::size_t nc = std::size_t(n) * std::size_t(half());
  if (rows_r2c_) {  // banded: the kept columns only; the others of power_ stay zero
    fftwf_execute_dft_r2c(rows_r2c_, real_n_, spec);
    fftwf_execute_dft(columns_dft_, spec, spec);
    for (int y = 0; y < n; ++y)
      for (std::size_t i = std::size_t(y) * std::size_t(half()), end = i + std::size_t(columns_); i < end; ++i)
        power_[i] = spec[i][0] * spec[i][0] + spec[i][1] * spec[i][1];
  } else {
    fftwf_execute_dft_r2c(r2c_n_, real_n_, spec);
    for (std::size_t i = 0; i < nc; ++i) power_[i] = spec[i][0] * spec[i][0] + spec[i][1] * spec[i][1];
  }

  if (!with_acf_) {
    acf_[0] = 1.f;  // zero lag, which is 1 by definition: tells measurers this box is not flat
    return true;
  }
  // Wiener-Khinchin: the ACF is the inverse FFT of the power spectrum.
  if (acf_mode_ == AcfMode::circular) {
    for (std::size_t i = 0; i < nc; ++i) {
      spec[i][0] = power_[i];
      spec[i][1] = 0.f;
    }
    fftwf_execute_dft_c2r(c2r_n_, spec, acf_);
  } else {
    const int m = m_;
    std::memset(real_m_, 0, sizeof(float) * std::size_t(m) * std::size_t(m));
    for (int y = 0; y < n; ++y)
      std::memcpy(real_m_ + std::size_t(y) * std::size_t(m), real_n_ + std::size_t(y) * std::size_t(n),
                  sizeof(float) * std::size_t(n));
    auto* specm = static_cast<fftwf_complex*>(spec_m_);
    fftwf_execute_dft_r2c(r2c_m_, real_m_, specm);
    const std::size_t mc = std::size_t(m) * std::size_t(m / 2 + 1);
    for (std::size_t i = 0; i < mc; ++i) {
      specm[i][0] = specm[i][0] * specm[i][0] + specm[i][1] * specm[i][1];
      specm[i][1] = 0.f;
    }
    fftwf_execute_dft_c2r(c2r_m_, specm, acf_);
  }
  const float zero_lag = acf_[0];
  const std::size_t mm = std::size_t(m_) * std::size_t(m_);
  if (zero_lag > 0) {
    const float inv = 1.f / zero_lag;
    for (std::size_t i = 0; i < mm; ++i) acf_[i] *= inv;
  }
  return true;
}

}  // namespace mgscope

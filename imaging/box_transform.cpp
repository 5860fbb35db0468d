// FFTW_ESTIMATE is deliberate: FFTW_MEASURE picks algorithms by timing, so two runs (or a
// 1-thread and a 2-thread run) could round differently and tiles.csv would not be byte-identical.
#include "imaging/box_transform.hpp"

#include <fftw3.h>
#if defined(__x86_64__)
#include <immintrin.h>  // SSE2 always, AVX where the processor has it (two_rows_lane_sums)
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cmath>
#include <complex>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#include "imaging/chirp_dft.hpp"
#include "imaging/fftw_planner.hpp"

namespace mgscope {

namespace {

// Two plans: the full 2-D r2c and c2r of a size, or (banded) the r2c of each row and the DFTs
// down the first `columns` columns.
struct PlanPair {
  fftwf_plan first = nullptr;
  fftwf_plan second = nullptr;
};

// FFTW's arrays for the plans' checks below, freed however the check ends.
using RealArray = std::unique_ptr<float, decltype(&fftwf_free)>;
using ComplexArray = std::unique_ptr<fftwf_complex, decltype(&fftwf_free)>;
RealArray real_array(std::size_t count) {
  RealArray a(fftwf_alloc_real(count), &fftwf_free);
  if (!a) throw std::bad_alloc();
  return a;
}
ComplexArray complex_array(std::size_t count) {
  ComplexArray a(fftwf_alloc_complex(count), &fftwf_free);
  if (!a) throw std::bad_alloc();
  return a;
}

// Pseudo-random values in [0, 1), the same sequence in every run, for the checks below.
float next_check_value(std::uint64_t& state) {
  state = state * 6364136223846793005ull + 1442695040888963407ull;
  return float(state >> 40) * 0x1.0p-24f;
}

// FFTW computes a 2-D r2c as rows then columns, and for most sizes with the same codelets as the
// banded pair, so the kept columns come out bit for bit the same; where its estimate picks another
// algorithm for one of the two (187 px, which chirp_dft now takes; no other size from 32 to 256 px
// with FFTW's build here), they differ in the last bits. The banded pair is used only when a
// pseudo-random box gives exactly the full transform's numbers, so the outputs never depend on
// which path ran.
bool same_as_full_transform(const PlanPair& banded, int size, int columns) {
  const int half = size / 2 + 1;
  const std::size_t nr = std::size_t(size) * std::size_t(size), nc = std::size_t(size) * std::size_t(half);
  RealArray r = real_array(nr), r_copy = real_array(nr);
  ComplexArray full = complex_array(nc), band = complex_array(nc);
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  for (std::size_t i = 0; i < nr; ++i) r.get()[i] = next_check_value(state) - 0.5f;
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

// The ACF's half plane (rows 0 .. size/2 of a c2r) as FFTW's 2-D c2r computes it: the DFTs down
// every column, then the rows' c2r. Used only where a pseudo-random spectrum gives exactly the full
// c2r's numbers on those rows, as same_as_full_transform does for the banded r2c.
bool same_as_full_inverse(const PlanPair& half, int size) {
  const int columns = size / 2 + 1, rows = size / 2 + 1;
  const std::size_t nr = std::size_t(size) * std::size_t(size), nc = std::size_t(size) * std::size_t(columns);
  RealArray full = real_array(nr), part = real_array(nr);
  ComplexArray a = complex_array(nc), b = complex_array(nc);
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  for (std::size_t i = 0; i < nc; ++i) {  // a power spectrum: real, not negative
    a.get()[i][0] = next_check_value(state);
    a.get()[i][1] = 0.f;
  }
  std::memcpy(b.get(), a.get(), sizeof(fftwf_complex) * nc);  // a c2r overwrites its input
  fftwf_plan full_plan = fftwf_plan_dft_c2r_2d(size, size, a.get(), full.get(), FFTW_ESTIMATE);
  if (!full_plan) return false;
  fftwf_execute(full_plan);
  fftwf_destroy_plan(full_plan);
  fftwf_execute_dft(half.first, b.get(), b.get());
  fftwf_execute_dft_c2r(half.second, b.get(), part.get());
  return std::memcmp(full.get(), part.get(), sizeof(float) * std::size_t(rows) * std::size_t(size)) == 0;
}

void destroy(PlanPair& p) {
  if (p.first) fftwf_destroy_plan(p.first);
  if (p.second) fftwf_destroy_plan(p.second);
  p = PlanPair{};
}

// Plans live for the whole program (a handful of sizes at most) and are destroyed at exit (before
// fftw_planner.cpp's fftwf_cleanup). Key: (size, 0) full, (size, columns) banded,
// (size, -1) the r2c of one row (first only), (size, -2) the ACF's half plane (backward DFTs down
// the columns, then the c2r of rows 0 .. size/2).
struct PlanCache {
  std::map<std::pair<int, int>, PlanPair> plans;
  ~PlanCache() {
    for (auto& [key, p] : plans) destroy(p);
  }
};

// A pair being made: destroyed if planning throws (a check's arrays out of memory, a size FFTW
// cannot plan) before the cache holds it.
struct PlansInTheMaking {
  PlanPair p;
  ~PlansInTheMaking() { destroy(p); }
  PlanPair release() { return std::exchange(p, PlanPair{}); }
};

const PlanPair& plans_for(int size, int columns = 0) {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());  // first: the planner outlives the cache
  static PlanCache cache_holder;
  auto& cache = cache_holder.plans;
  auto it = cache.find({size, columns});
  if (it != cache.end()) return it->second;
  const int half = size / 2 + 1;
  RealArray r_array = real_array(std::size_t(size) * std::size_t(size));
  ComplexArray c_array = complex_array(std::size_t(size) * std::size_t(half));
  float* r = r_array.get();
  fftwf_complex* c = c_array.get();
  PlansInTheMaking making;
  PlanPair& p = making.p;
  if (columns == -2) {
    const int len[1] = {size};
    p.first = fftwf_plan_many_dft(1, len, half, c, nullptr, half, 1, c, nullptr, half, 1, FFTW_BACKWARD, FFTW_ESTIMATE);
    p.second = fftwf_plan_many_dft_c2r(1, len, size / 2 + 1, c, nullptr, 1, half, r, nullptr, 1, size, FFTW_ESTIMATE);
    if (!p.first || !p.second || !same_as_full_inverse(p, size))
      destroy(p);  // BoxTransformer then computes every row of the ACF
  } else if (columns < 0) {
    p.first = fftwf_plan_dft_r2c_1d(size, r, c, FFTW_ESTIMATE);
    if (!p.first) throw std::runtime_error("FFTW could not plan a " + std::to_string(size) + " px row transform");
  } else if (columns == 0) {
    p.first = fftwf_plan_dft_r2c_2d(size, size, r, c, FFTW_ESTIMATE);
    p.second = fftwf_plan_dft_c2r_2d(size, size, c, r, FFTW_ESTIMATE);
    if (!p.first || !p.second)
      throw std::runtime_error("FFTW could not plan a " + std::to_string(size) + " px box transform");
  } else {
    const int len[1] = {size};
    p.first = fftwf_plan_many_dft_r2c(1, len, size, r, nullptr, 1, size, c, nullptr, 1, half, FFTW_ESTIMATE);
    p.second =
        fftwf_plan_many_dft(1, len, columns, c, nullptr, half, 1, c, nullptr, half, 1, FFTW_FORWARD, FFTW_ESTIMATE);
    if (!p.first || !p.second || !same_as_full_transform(p, size, columns))
      destroy(p);  // BoxTransformer then computes every column
  }
  auto& kept = cache.emplace(std::make_pair(size, columns), PlanPair{}).first->second;
  kept = making.release();
  return kept;
}

// The pixels x = from .. n - 1 of a row into lane 0 of its sums (those after its last group of four).
void add_to_lane_0(const float* row, int from, int n, double* s, double* q, double* xs) {
  for (int x = from; x < n; ++x) {
    const double val = row[x];
    s[0] += val;
    q[0] += val * val;
    xs[0] += double(x) * val;
  }
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
  add_to_lane_0(row, x, n, s, q, xs);
}

// The plane fit's sums over one row: of f, f^2 and x f (x from the box's left edge).
struct RowSums {
  double sum, sum2, sumx;
};

RowSums sums_of_lanes(const double* s, const double* q, const double* xs) {
  return {(s[0] + s[1]) + (s[2] + s[3]), (q[0] + q[1]) + (q[2] + q[3]), (xs[0] + xs[1]) + (xs[2] + xs[3])};
}

RowSums row_sums(const float* row, int n) {
  double s[4], q[4], xs[4];
  row_lane_sums(row, n, s, q, xs);
  return sums_of_lanes(s, q, xs);
}

#if defined(__x86_64__)
// Two rows' lane sums at once, each row's exactly as row_lane_sums makes them. A lane's sums are
// chains of dependent additions (each waits ~4 cycles for the one before), so one row keeps the
// processor mostly waiting: 38 ns a 100 px row. Two rows' chains interleave. AVX holds a row's four
// lanes in one register (two rows in SSE2 registers would not fit in the sixteen there are); no
// FMA, whose single rounding would change the sums.
__attribute__((target("avx"))) void two_rows_lane_sums(const float* a, const float* b, int n, double* sa, double* qa,
                                                        double* xsa, double* sb, double* qb, double* xsb) {
  __m256d s0 = _mm256_setzero_pd(), q0 = _mm256_setzero_pd(), x0 = _mm256_setzero_pd();
  __m256d s1 = _mm256_setzero_pd(), q1 = _mm256_setzero_pd(), x1 = _mm256_setzero_pd();
  __m256d at = _mm256_set_pd(3.0, 2.0, 1.0, 0.0);  // x + k for the four lanes
  const __m256d four = _mm256_set1_pd(4.0);
  int x = 0;
  for (; x + 4 <= n; x += 4) {
    const __m256d va = _mm256_cvtps_pd(_mm_loadu_ps(a + x)), vb = _mm256_cvtps_pd(_mm_loadu_ps(b + x));
    s0 = _mm256_add_pd(s0, va);
    s1 = _mm256_add_pd(s1, vb);
    q0 = _mm256_add_pd(q0, _mm256_mul_pd(va, va));
    q1 = _mm256_add_pd(q1, _mm256_mul_pd(vb, vb));
    x0 = _mm256_add_pd(x0, _mm256_mul_pd(at, va));
    x1 = _mm256_add_pd(x1, _mm256_mul_pd(at, vb));
    at = _mm256_add_pd(at, four);
  }
  _mm256_storeu_pd(sa, s0);
  _mm256_storeu_pd(qa, q0);
  _mm256_storeu_pd(xsa, x0);
  _mm256_storeu_pd(sb, s1);
  _mm256_storeu_pd(qb, q1);
  _mm256_storeu_pd(xsb, x1);
  add_to_lane_0(a, x, n, sa, qa, xsa);
  add_to_lane_0(b, x, n, sb, qb, xsb);
}

bool cpu_runs_avx() {
  static const bool avx = [] {
    __builtin_cpu_init();  // libgcc does it at start-up, but a static initialiser may come first
    return __builtin_cpu_supports("avx") != 0;  // the processor's flag and the system's saving of its registers
  }();
  return avx;
}
#endif


// Mean, plane and variance of a box in double: a 100 x 100 box of 16-bit counts loses digits in
// float. With centred coordinates u = x - (n-1)/2, v = y - (n-1)/2 the plane's three terms are
// orthogonal, so its slopes are sum(u f) / sum(u^2) and sum(v f) / sum(v^2). Both transforms add
// their rows' sums here in row order, so their planes agree to the bit.
class PlaneFit {
 public:
  explicit PlaneFit(int n) : n_(n), c_(0.5 * (n - 1)) {}
  void add(const RowSums& r, int y) {
    sum_ += r.sum;
    sum2_ += r.sum2;
    su_ += r.sumx - c_ * r.sum;
    sv_ += (y - c_) * r.sum;
  }
  double mean() const { return sum_ / nn(); }
  double slope_x() const { return su_ / uu(); }
  double slope_y() const { return sv_ / uu(); }
  double variance() const {
    const double m = mean();
    return sum2_ / nn() - m * m - (slope_x() * su_ + slope_y() * sv_) / nn();
  }
  // A flat box (no variance after the plane) has no spectrum.
  bool flat() const {
    const double m = mean();
    return !(variance() > 1e-12 * (m * m + 1e-30));
  }

 private:
  double nn() const { return double(n_) * double(n_); }
  double uu() const { return double(n_) * double(n_) * (double(n_) * n_ - 1) / 12.0; }  // sum of u^2 over the box
  int n_;
  double c_;
  double sum_ = 0, sum2_ = 0, su_ = 0, sv_ = 0;
};

// The plane fit of the n x n box at `box`: its rows' sums added in row order.
PlaneFit fit_plane(const float* box, std::ptrdiff_t row_stride, int n) {
  PlaneFit fit(n);
  int y = 0;
#if defined(__x86_64__)
  if (cpu_runs_avx())
    for (; y + 2 <= n; y += 2) {
      double sa[4], qa[4], xsa[4], sb[4], qb[4], xsb[4];
      two_rows_lane_sums(box + y * row_stride, box + (y + 1) * row_stride, n, sa, qa, xsa, sb, qb, xsb);
      fit.add(sums_of_lanes(sa, qa, xsa), y);
      fit.add(sums_of_lanes(sb, qb, xsb), y + 1);
    }
#endif
  for (; y < n; ++y) fit.add(row_sums(box + y * row_stride, n), y);
  return fit;
}

// The plane's value at x = 0 of row y of an n px box (its slope along x is slope_x).
float plane_base(int n, int y, double mean, double slope_x, double slope_y) {
  const double c = 0.5 * (n - 1);
  return float(mean + slope_y * (y - c) - slope_x * c);
}

// Row y of a box with the plane removed, scaled to unit variance.
void remove_plane(const float* row, int n, int y, double mean, double slope_x, double slope_y, float inv_sd,
                  float* norm) {
  const float base = plane_base(n, y, mean, slope_x, slope_y);
  const float sx = float(slope_x);
  for (int x = 0; x < n; ++x) norm[x] = (row[x] - base - sx * float(x)) * inv_sd;
}

}  // namespace

// The rows kept for transform_sharing_rows: per column of boxes (x0) a ring of n slots (row y in
// slot y mod n: a box's n rows never share a slot). Several columns are kept at once, so that boxes
// can be taken row of boxes by row of boxes across a few columns: the image rows a box row reads
// are then read from the cache by every column, where a column taken top to bottom alone reads
// the whole image height from memory before the next column reads the same rows again.
struct BoxTransformer::SharedRows {
  // Columns kept at once; the least recently used is given to a new column.
  static constexpr int kColumns = 16;
  struct Column {
    const StoredImage* image = nullptr;  // the column the kept rows belong to
    int x0 = -1;
    std::uint64_t last_use = 0;
    std::vector<int> row_in_slot;   // image row held by each slot, -1 for none
    std::vector<RowSums> sums;      // per slot: the plane fit's sums of the row
    std::vector<float> offset;      // per slot: the row's mean, taken out before its transform
    std::vector<float> spectrum;    // per slot: the kept columns of r2c(w (f - offset)), re and im
    // Chirp-z sizes: the partner of a pair of rows transformed together that fell outside the box
    // that asked (its slot still held a row of that box), kept here until a box asks for it.
    int spare_row = -1;
    RowSums spare_sums;
    float spare_offset = 0;
    std::vector<float> spare_spectrum;
  };
  std::vector<Column> kept;
  std::uint64_t clock = 0;
  std::vector<float> w;          // the window's 1-D factor, along x and along y alike
  std::vector<float> w0, w1;     // kept columns of r2c(w) and r2c(w x), re and im: the plane's
  std::vector<float> pixels;                   // two row segments as float
  float* row_in = nullptr;                     // FFTW's arrays for the row transform (two rows)
  fftwf_complex* row_out = nullptr;
  fftwf_plan_s* plan = nullptr;
  ChirpDft* chirp = nullptr;  // the transformer's, instead of the plan, for sizes FFTW does slowly

  // `chirp`: the owning transformer's chirp-z transforms of n, or nullptr for FFTW's. Their work
  // arrays are shared: the rows are transformed before the columns, never at the same time.
  SharedRows(int n, int columns, WindowKind kind, ChirpDft* chirp_of_n)
      : w(std::size_t(n)), w0(std::size_t(2 * columns)), w1(std::size_t(2 * columns)), pixels(std::size_t(2 * n)),
        chirp(chirp_of_n) {
    if (!chirp) plan = plans_for(n, -1).first;
    row_in = fftwf_alloc_real(std::size_t(2 * n));
    row_out = fftwf_alloc_complex(std::size_t(2 * (n / 2 + 1)));
    if (!row_in || !row_out) {
      fftwf_free(row_in);
      fftwf_free(row_out);
      throw std::bad_alloc();
    }
    const std::vector<double> window = window_1d(kind, n);
    for (int i = 0; i < n; ++i) w[std::size_t(i)] = float(window[std::size_t(i)]);
    for (int pass = 0; pass < 2; ++pass) {
      for (int x = 0; x < n; ++x) row_in[x] = pass == 0 ? w[std::size_t(x)] : w[std::size_t(x)] * float(x);
      transform_row(n);
      std::memcpy((pass == 0 ? w0 : w1).data(), row_out, sizeof(float) * std::size_t(2 * columns));
    }
  }
  ~SharedRows() {
    fftwf_free(row_in);
    fftwf_free(row_out);
  }
  SharedRows(const SharedRows&) = delete;
  SharedRows& operator=(const SharedRows&) = delete;

  // r2c of row_in into row_out.
  void transform_row(int n) {
    if (chirp) chirp->real_rows(row_in, n, reinterpret_cast<std::complex<float>*>(row_out), n / 2 + 1, 1);
    else fftwf_execute_dft_r2c(plan, row_in, row_out);
  }

  // The kept rows of the column at x0 of `img`: those already kept, or a column emptied for it.
  Column& column(const StoredImage& img, int x0, int n, int columns) {
    ++clock;
    Column* oldest = nullptr;
    for (Column& c : kept) {
      if (c.image == &img && c.x0 == x0) {
        c.last_use = clock;
        return c;
      }
      if (!oldest || c.last_use < oldest->last_use) oldest = &c;
    }
    if (int(kept.size()) < kColumns) {
      kept.emplace_back();
      oldest = &kept.back();
      oldest->row_in_slot.resize(std::size_t(n));
      oldest->sums.resize(std::size_t(n));
      oldest->offset.resize(std::size_t(n));
      oldest->spectrum.resize(std::size_t(n) * std::size_t(2 * columns));
      oldest->spare_spectrum.resize(std::size_t(2 * columns));
    }
    oldest->image = &img;
    oldest->x0 = x0;
    oldest->last_use = clock;
    std::fill(oldest->row_in_slot.begin(), oldest->row_in_slot.end(), -1);
    oldest->spare_row = -1;
    return *oldest;
  }

  void forget() {
    for (Column& c : kept) c.image = nullptr;
  }

  // Row y of c's segment into row_in + k n (windowed, its mean taken out) and its sums and mean.
  // Taking the row's own mean out first keeps its transform's zero frequency small, so little
  // cancels when the box's plane is taken out of it.
  void load_row(const Column& c, int y, int n, int k, RowSums& sums, float& offset) {
    float* converted = pixels.data() + std::size_t(k) * std::size_t(n);
    const float* row = converted;  // float pixels are read where they are; others converted
    if (const ImageF* f = c.image->floats()) row = f->row(y) + c.x0;
    else c.image->copy_block(c.x0, y, n, 1, converted, n);
    sums = row_sums(row, n);
    offset = float(sums.sum / double(n));
    float* in = row_in + std::size_t(k) * std::size_t(n);
    for (int x = 0; x < n; ++x) in[x] = (row[x] - offset) * w[std::size_t(x)];
  }

  // Makes sure `c` holds image row y of its segment x0 .. x0 + n - 1, for the box of rows
  // box_y0 .. box_y0 + n - 1.
  void hold(Column& c, int y, int box_y0, int n, int columns) {
    const std::size_t slot = std::size_t(y % n), width = std::size_t(2 * columns);
    if (c.row_in_slot[slot] == y) return;
    // A slot is written only once its row is made: reading a row may throw (a mapped file cut
    // short), and the slot must then still hold its old row whole.
    auto keep = [&](std::size_t to, int row, const RowSums& sums, float offset, const float* spectrum) {
      c.row_in_slot[to] = row;
      c.sums[to] = sums;
      c.offset[to] = offset;
      std::memcpy(c.spectrum.data() + to * width, spectrum, sizeof(float) * width);
    };
    if (chirp && c.spare_row == y) {
      keep(slot, y, c.spare_sums, c.spare_offset, c.spare_spectrum.data());
      c.spare_row = -1;
      return;
    }
    RowSums sums;
    float offset = 0;
    // Chirp-z transforms two real rows as one complex sequence at the cost of one: rows 2k and
    // 2k + 1 of the image always together (whichever box asks first), so that a row's numbers do not
    // depend on the order of the boxes; the last row of an odd height alone. FFTW one row at a time.
    const int first = y & ~1;
    if (!chirp || first + 1 >= c.image->height) {
      load_row(c, y, n, 0, sums, offset);
      transform_row(n);
      keep(slot, y, sums, offset, reinterpret_cast<const float*>(row_out));
      return;
    }
    const int other = y == first ? first + 1 : first;
    RowSums other_sums;
    float other_offset = 0;
    load_row(c, y, n, y - first, sums, offset);
    load_row(c, other, n, other - first, other_sums, other_offset);
    const std::size_t half = std::size_t(n / 2 + 1);
    chirp->real_rows(row_in, n, reinterpret_cast<std::complex<float>*>(row_out), std::ptrdiff_t(half), 2);
    const auto* out = reinterpret_cast<const float*>(row_out);
    keep(slot, y, sums, offset, out + std::size_t(y - first) * 2 * half);
    const float* other_spectrum = out + std::size_t(other - first) * 2 * half;
    if (other >= box_y0 && other < box_y0 + n) {  // in the asking box: its slot holds no other row of it
      keep(std::size_t(other % n), other, other_sums, other_offset, other_spectrum);
    } else {
      c.spare_row = other;
      c.spare_sums = other_sums;
      c.spare_offset = other_offset;
      std::memcpy(c.spare_spectrum.data(), other_spectrum, sizeof(float) * width);
    }
  }
};

BoxTransformer::BoxTransformer(int box_px, WindowKind window, AcfMode acf, bool with_acf, int highest_column)
    : n_(box_px),
      m_(acf == AcfMode::linear ? 2 * box_px : box_px),
      window_kind_(window),
      acf_mode_(acf),
      with_acf_(with_acf),
      window_(make_window_2d(window, box_px)),
      normalised_(std::size_t(box_px) * std::size_t(box_px), 0.f),
      power_(std::size_t(box_px) * std::size_t(box_px / 2 + 1), 0.f),
      columns_(highest_column < 0 ? box_px / 2 + 1 : std::min(highest_column + 1, box_px / 2 + 1)),
      acf_rows_(m_) {
  if (with_acf && columns_ < half()) throw std::invalid_argument("BoxTransformer: the ACF needs every spectrum column");
  for (float w : window_) window_energy_ += double(w) * w;
  // Looked up once here: transform() runs per box on many threads and must not take the lock.
  if (chirp_dft_pays(n_)) {
    chirp_n_ = std::make_unique<ChirpDft>(n_);  // rows then columns: banded is the full transform's numbers
  } else {
    const PlanPair& pn = plans_for(n_);
    r2c_n_ = pn.first;
    c2r_n_ = pn.second;
    if (columns_ < half()) {
      const PlanPair& pb = plans_for(n_, columns_);
      rows_r2c_ = pb.first;
      columns_dft_ = pb.second;
      if (!rows_r2c_) columns_ = half();  // no banded pair with the full transform's numbers
    }
  }
  if (acf_mode_ == AcfMode::linear) {
    if (chirp_dft_pays(m_)) {
      chirp_m_ = std::make_unique<ChirpDft>(m_);
    } else {
      const PlanPair& pm = plans_for(m_);
      r2c_m_ = pm.first;
      c2r_m_ = pm.second;
    }
  }
  real_n_ = fftwf_alloc_real(std::size_t(n_) * std::size_t(n_));
  spec_n_ = fftwf_alloc_complex(std::size_t(n_) * std::size_t(half()));
  if (acf_mode_ == AcfMode::linear) {
    real_m_ = fftwf_alloc_real(std::size_t(m_) * std::size_t(m_));
    spec_m_ = fftwf_alloc_complex(std::size_t(m_) * std::size_t(m_ / 2 + 1));
  }
  acf_ = fftwf_alloc_real(std::size_t(m_) * std::size_t(m_));
  if (!real_n_ || !spec_n_ || !acf_ || (acf_mode_ == AcfMode::linear && (!real_m_ || !spec_m_))) {
    release();  // members are destroyed by the throw; only FFTW's arrays need freeing
    throw std::bad_alloc();
  }
  std::memset(acf_, 0, sizeof(float) * std::size_t(m_) * std::size_t(m_));
}

BoxTransformer::~BoxTransformer() { release(); }

void BoxTransformer::release() {
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
  pending_.reset();
  const PlaneFit fit = fit_plane(box, row_stride, n);
  if (fit.flat()) {
    std::fill(power_.begin(), power_.end(), 0.f);
    std::memset(acf_, 0, sizeof(float) * std::size_t(m_) * std::size_t(m_));  // acf_[0] = 0 marks a flat box
    return false;
  }
  const double mean = fit.mean(), slope_x = fit.slope_x(), slope_y = fit.slope_y();
  const float inv_sd = float(1.0 / std::sqrt(fit.variance()));
  for (int y = 0; y < n; ++y) {
    const float* w = window_.data() + std::size_t(y) * std::size_t(n);
    float* norm = normalised_.data() + std::size_t(y) * std::size_t(n);
    float* out = real_n_ + std::size_t(y) * std::size_t(n);
    remove_plane(box + y * row_stride, n, y, mean, slope_x, slope_y, inv_sd, norm);
    for (int x = 0; x < n; ++x) out[x] = norm[x] * w[x];
  }
  auto* spec = static_cast<fftwf_complex*>(spec_n_);
  const std::size_t nc = std::size_t(n) * std::size_t(half());
  if (chirp_n_) {  // the kept columns only, as below
    chirp_n_->r2c_2d(real_n_, reinterpret_cast<std::complex<float>*>(spec), columns_);
    power_of_kept_columns();
  } else if (rows_r2c_) {  // banded: the kept columns only; the others of power_ stay zero
    fftwf_execute_dft_r2c(rows_r2c_, real_n_, spec);
    fftwf_execute_dft(columns_dft_, spec, spec);
    power_of_kept_columns();
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
    inverse_to_acf(spec, chirp_n_.get(), c2r_n_);
  } else {
    const int m = m_;
    std::memset(real_m_, 0, sizeof(float) * std::size_t(m) * std::size_t(m));
    for (int y = 0; y < n; ++y)
      std::memcpy(real_m_ + std::size_t(y) * std::size_t(m), real_n_ + std::size_t(y) * std::size_t(n),
                  sizeof(float) * std::size_t(n));
    auto* specm = static_cast<fftwf_complex*>(spec_m_);
    if (chirp_m_) chirp_m_->r2c_2d(real_m_, reinterpret_cast<std::complex<float>*>(specm), m / 2 + 1);
    else fftwf_execute_dft_r2c(r2c_m_, real_m_, specm);
    const std::size_t mc = std::size_t(m) * std::size_t(m / 2 + 1);
    for (std::size_t i = 0; i < mc; ++i) {
      specm[i][0] = specm[i][0] * specm[i][0] + specm[i][1] * specm[i][1];
      specm[i][1] = 0.f;
    }
    inverse_to_acf(specm, chirp_m_.get(), c2r_m_);
  }
  const float zero_lag = acf_[0];
  const std::size_t mm = std::size_t(acf_rows_) * std::size_t(m_);
  if (zero_lag > 0) {
    const float inv = 1.f / zero_lag;
    for (std::size_t i = 0; i < mm; ++i) acf_[i] *= inv;
  }
  return true;
}

void BoxTransformer::inverse_to_acf(void* spectrum, ChirpDft* chirp, fftwf_plan_s* full_c2r) {
  auto* spec = static_cast<fftwf_complex*>(spectrum);
  if (chirp) {
    chirp->c2r_2d(reinterpret_cast<std::complex<float>*>(spec), acf_, acf_rows_);
  } else if (acf_rows_ < m_) {
    fftwf_execute_dft(acf_columns_, spec, spec);
    fftwf_execute_dft_c2r(acf_half_rows_, spec, acf_);
  } else {
    fftwf_execute_dft_c2r(full_c2r, spec, acf_);
  }
}

void BoxTransformer::acf_half_plane_only() {
  if (!with_acf_ || acf_rows_ < m_) return;
  if (!(acf_mode_ == AcfMode::circular ? chirp_n_ : chirp_m_)) {
    const PlanPair& p = plans_for(m_, -2);
    if (!p.first) return;  // no split with the full c2r's numbers: every row, as before
    acf_columns_ = p.first;
    acf_half_rows_ = p.second;
  }
  acf_rows_ = m_ / 2 + 1;
}

bool BoxTransformer::transform_sharing_rows(const StoredImage& image, int x0, int y0) {
  if (with_acf_ || !(rows_r2c_ || (chirp_n_ && columns_ < half()))) return transform(image, x0, y0);
  const int n = n_, columns = columns_;
  if (!shared_) shared_ = std::make_unique<SharedRows>(n, columns, window_kind_, chirp_n_.get());
  SharedRows& rows = *shared_;
  SharedRows::Column& kept = rows.column(image, x0, n, columns);
  pending_.reset();
  PlaneFit fit(n);
  for (int y = 0; y < n; ++y) {
    rows.hold(kept, y0 + y, y0, n, columns);
    fit.add(kept.sums[std::size_t((y0 + y) % n)], y);
  }
  if (fit.flat()) {
    std::fill(power_.begin(), power_.end(), 0.f);
    acf_[0] = 0.f;  // marks a flat box
    return false;
  }
  const double mean = fit.mean(), slope_x = fit.slope_x(), slope_y = fit.slope_y();
  const float inv_sd = float(1.0 / std::sqrt(fit.variance()));
  // Row y of the windowed box is w(y) (f - offset - d - sx x) w(x) inv_sd, with d = plane(y) - offset:
  // its transform is inv_sd w(y) (F_row - d W0 - sx W1).
  const float sx = float(slope_x);
  auto* fspec = static_cast<fftwf_complex*>(spec_n_);
  const float* w0 = rows.w0.data();
  const float* w1 = rows.w1.data();
  for (int y = 0; y < n; ++y) {
    const std::size_t slot = std::size_t((y0 + y) % n);
    const float d = plane_base(n, y, mean, slope_x, slope_y) - kept.offset[slot];
    const float scale = inv_sd * rows.w[std::size_t(y)];
    const float* f = kept.spectrum.data() + slot * std::size_t(2 * columns);
    float* out = fspec[std::size_t(y) * std::size_t(half())];
    for (int k = 0; k < 2 * columns; ++k) out[k] = scale * (f[k] - d * w0[k] - sx * w1[k]);  // re and im alike
  }
  if (chirp_n_) {
    auto* c = reinterpret_cast<std::complex<float>*>(fspec);
    chirp_n_->dft(c, half(), 1, c, half(), 1, columns_, -1);
  } else {
    fftwf_execute_dft(columns_dft_, fspec, fspec);
  }
  power_of_kept_columns();
  acf_[0] = 1.f;  // zero lag: not flat
  pending_ = PendingBox{&image, x0, y0, mean, slope_x, slope_y, inv_sd};
  return true;
}

void BoxTransformer::power_of_kept_columns() {
  const auto* spec = static_cast<const fftwf_complex*>(spec_n_);
  for (int y = 0; y < n_; ++y)
    for (std::size_t i = std::size_t(y) * std::size_t(half()), end = i + std::size_t(columns_); i < end; ++i)
      power_[i] = spec[i][0] * spec[i][0] + spec[i][1] * spec[i][1];
}

void BoxTransformer::forget_shared_rows() {
  if (shared_) shared_->forget();
}

void BoxTransformer::make_normalised() const {
  const PendingBox p = *pending_;
  pending_.reset();
  const int n = n_;
  box_.resize(std::size_t(n) * std::size_t(n));
  p.image->copy_block(p.x0, p.y0, n, n, box_.data(), n);
  for (int y = 0; y < n; ++y)
    remove_plane(box_.data() + std::size_t(y) * std::size_t(n), n, y, p.mean, p.slope_x, p.slope_y, p.inv_sd,
                 normalised_.data() + std::size_t(y) * std::size_t(n));
}

}  // namespace mgscope

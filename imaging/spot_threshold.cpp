// Null calibration by phase randomisation of image crops (at most 1024 x 1024 px each, so the
// memory stays small on 4k images); several crops and seeds until enough null boxes are measured.
#include "imaging/spot_threshold.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <iomanip>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <utility>

#include "fitting/base/error.hpp"
#include "fitting/base/parallel_for.hpp"
#include "fitting/base/statistics.hpp"
#include "imaging/grid_spectrum.hpp"
#include "imaging/image_fft.hpp"
#include "imaging/window.hpp"

namespace mgscope {

const char* threshold_mode_name(ThresholdMode m) {
  switch (m) {
    case ThresholdMode::null_model: return "null";
    case ThresholdMode::formula: return "formula";
    case ThresholdMode::fixed: return "fixed";
    case ThresholdMode::reference: return "reference";
  }
  return "?";
}

namespace {

// Ring of every r2c coefficient of a side x side transform (|k| rounded, in frequency pixels),
// with the coefficients listed ring by ring. The crops' spectra and the null's amplitudes share
// one layout, so the rings are found once instead of per coefficient of every transform.
struct RingTable {
  std::vector<std::uint16_t> ring;   // per coefficient, r2c layout (side rows x side / 2 + 1)
  std::vector<std::uint32_t> start;  // ring k holds rank start[k] .. start[k + 1] - 1 in ring order
  std::size_t rings() const { return start.size() - 1; }
};

RingTable make_ring_table(int side) {
  RingTable t;
  const int cols = side / 2 + 1;
  t.ring.resize(std::size_t(side) * std::size_t(cols));
  t.start.assign(std::size_t(side + 3), 0);  // rings 0 .. side + 1 (the corner is side / sqrt 2)
  for (int row = 0; row < side; ++row) {
    const int ky = row <= side / 2 ? row : row - side;
    for (int col = 0; col < cols; ++col) {
      // sqrt of the integer |k|^2 rounds to the same ring as std::hypot (checked for every |k|
      // up to 8192 on each axis: no |k| lies within an ulp of a half-integer) at a tenth of its cost.
      const auto ring = std::uint16_t(std::lround(std::sqrt(double(col) * col + double(ky) * ky)));
      t.ring[std::size_t(row) * std::size_t(cols) + std::size_t(col)] = ring;
      ++t.start[std::size_t(ring) + 1];
    }
  }
  for (std::size_t k = 1; k < t.start.size(); ++k) t.start[k] += t.start[k - 1];
  return t;
}

// The table of a side, made once (about 3 ms at 1024 px, for every image of a batch otherwise) and
// kept for the process: the last kKeptRingTables sides asked for (a batch of images of one size
// asks for one; a table is 1 MiB at 1024 px). Shared, so that a table in use outlives its place.
constexpr std::size_t kKeptRingTables = 4;

std::shared_ptr<const RingTable> ring_table(int side) {
  static std::mutex mutex;
  static std::vector<std::pair<int, std::shared_ptr<const RingTable>>> kept;  // most recent last
  std::lock_guard<std::mutex> lock(mutex);
  for (auto it = kept.begin(); it != kept.end(); ++it)
    if (it->first == side) {
      std::rotate(it, it + 1, kept.end());
      return kept.back().second;
    }
  if (kept.size() == kKeptRingTables) kept.erase(kept.begin());
  kept.emplace_back(side, std::make_shared<const RingTable>(make_ring_table(side)));
  return kept.back().second;
}

// Radial amplitude spectrum |F|(ring) of a crop of the image, rings one frequency pixel wide.
// It is the radial *median* of |F|^2 divided by ln 2, so Bragg peaks of crystals in the crop
// neither leak into the null as plane waves (as a plain phase randomisation would keep them) nor
// inflate its ring. The crop is apodised first: a crop is not periodic, and the jumps at its edges
// would leak power across the spectrum (measured: nulls from bare 1024 px crops of a 2048 px image
// set the threshold ~8 % low, and the false-alarm rate rose from 1 % to 1.5 %). The overall scale
// does not matter, since every box is normalised to unit variance.
// `fft.real()` holds the crop on entry; it is tapered in place.
std::vector<double> ring_power(RealFft2d& fft, const std::vector<float>& weight, const RingTable& rings,
                               bool integer_pixels) {
  const int width = fft.width(), height = fft.height();
  float* crop = fft.real();
  const std::size_t pixels = std::size_t(width) * std::size_t(height);
  double mean = 0, wsum = 0;
  if (integer_pixels && weight.empty() && width <= 32768) {
    // Whole numbers of at most 16 bits: every partial sum is exact in double, so the sum is the
    // same in any order. Here by rows in 32-bit integers (a row sums to under 2^31), which
    // vectorises; the loop below adds one double after another.
    std::int64_t total = 0;
    for (int y = 0; y < height; ++y) {
      const float* row = crop + std::size_t(y) * std::size_t(width);
      std::int32_t row_total = 0;
      for (int x = 0; x < width; ++x) row_total += std::int32_t(row[x]);
      total += row_total;
    }
    mean = double(total);
    wsum = double(pixels);
  } else {
    for (std::size_t i = 0; i < pixels; ++i) {
      const double w = weight.empty() ? 1.0 : weight[i];
      mean += w * crop[i];
      wsum += w;
    }
  }
  mean /= std::max(wsum, 1e-30);
  const std::vector<float> wx = window_middle_row(WindowKind::hann, width);
  const std::vector<float> wy = window_middle_row(WindowKind::hann, height);
  const float* rowx = wx.data();
  const float* rowy = wy.data();
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const std::size_t i = std::size_t(y) * std::size_t(width) + std::size_t(x);
      crop[i] = float((crop[i] - mean) * rowx[x] * rowy[y] * (weight.empty() ? 1.0f : weight[i]));
    }
  fft.forward();
  const std::complex<float>* f = fft.spectrum();
  const std::size_t coefficients = std::size_t(height) * std::size_t(fft.columns());
  // |F|^2 sorted into rings (a counting sort over the table), then the median of each ring.
  std::vector<float> by_ring(coefficients);
  std::vector<std::uint32_t> next(rings.start.begin(), rings.start.end() - 1);
  for (std::size_t i = 0; i < coefficients; ++i) by_ring[next[rings.ring[i]]++] = std::norm(f[i]);
  std::vector<double> out(rings.rings(), 0.0);
  for (std::size_t k = 1; k < out.size(); ++k)
    if (rings.start[k + 1] > rings.start[k])
      out[k] = median_in_place(by_ring.data() + rings.start[k], by_ring.data() + rings.start[k + 1]) /
               0.69314718055994530942;
  return out;
}

// Weight of each crop pixel in the null's spectrum: 1 on specimen, 0 on vacuum, annotations and
// masked pixels and within about a quarter box of them, with a linear taper of a quarter box in
// between (a hard cut would itself leak power across the spectrum). `s` is the local share of
// specimen in a half-box square (running sums); the weight is 2 s - 1, clamped.
std::vector<float> specimen_weight(const SpecimenMask& mask, int ox, int oy, int side, int box_px) {
  const int r = std::max(1, box_px / 4);
  const std::size_t w = std::size_t(side);
  std::vector<float> ind(w * w), tmp(ind.size());
  std::vector<std::uint8_t> flags(w);
  for (int y = 0; y < side; ++y) {
    mask.flagged_row(ox, oy + y, side, flags.data());
    float* row = ind.data() + std::size_t(y) * w;
    for (std::size_t x = 0; x < w; ++x) row[x] = flags[x] ? 0.f : 1.f;
  }
  // The running mean over [k - r, k + r], clamped to the crop: along each row, then down the
  // columns, all columns side by side (one pass over rows, not a strided walk per column). Each
  // column's sum takes the same additions in the same order as a walk down it would.
  for (std::size_t line = 0; line < w; ++line) {
    const float* in = ind.data() + line * w;
    float* out = tmp.data() + line * w;
    double run = 0;
    int lo = 0, hi = -1;
    for (int k = 0; k < side; ++k) {
      while (hi < std::min(side - 1, k + r)) run += in[++hi];
      while (lo < k - r) run -= in[lo++];
      out[k] = float(run / double(hi - lo + 1));
    }
  }
  std::vector<double> run(w, 0.0);
  int lo = 0, hi = -1;
  for (int k = 0; k < side; ++k) {
    while (hi < std::min(side - 1, k + r)) {
      const float* in = tmp.data() + std::size_t(++hi) * w;
      for (std::size_t x = 0; x < w; ++x) run[x] += in[x];
    }
    while (lo < k - r) {
      const float* in = tmp.data() + std::size_t(lo++) * w;
      for (std::size_t x = 0; x < w; ++x) run[x] -= in[x];
    }
    const double count = double(hi - lo + 1);
    float* out = ind.data() + std::size_t(k) * w;
    for (std::size_t x = 0; x < w; ++x) out[x] = std::clamp(2.f * float(run[x] / count) - 1.f, 0.f, 1.f);
  }
  return ind;
}

// Amplitude |F| per r2c coefficient of the table's side x side field with ring power `ring_pow`.
std::vector<float> coefficient_amplitudes(const std::vector<double>& ring_pow, const RingTable& rings) {
  std::vector<float> amp(rings.ring.size());
  for (std::size_t i = 0; i < amp.size(); ++i)
    amp[i] = float(std::sqrt(rings.ring[i] < ring_pow.size() ? ring_pow[rings.ring[i]] : 0.0));
  return amp;
}

// The null field's amplitudes made to follow a significant anisotropy: each coefficient's power times
// the modulation at its |k| and direction (on the box's scale of rings), and each crop ring rescaled
// so that its median power stays the measured one (the ring median, not the mean, is what was
// measured: with a modulation e^h the median of e^h E, E ~ Exp(1), is the m solving
// mean(exp(-m e^-h)) = 1/2, ln 2 without one).
void modulate_amplitudes(const SpectrumAnisotropy& a, int side, const RingTable& rings, std::vector<float>& amp) {
  const int cols = side / 2 + 1;
  const double box_per_crop = double(a.box_px) / double(side);
  std::vector<double> weight(amp.size());  // e^-h
  std::vector<std::uint32_t> order(amp.size());
  std::vector<std::uint32_t> next(rings.start.begin(), rings.start.end() - 1);
  for (int row = 0; row < side; ++row) {
    const int ky = row <= side / 2 ? row : row - side;
    for (int col = 0; col < cols; ++col) {
      const std::size_t i = std::size_t(row) * std::size_t(cols) + std::size_t(col);
      const double radius = std::hypot(double(col), double(ky)) * box_per_crop;
      weight[i] = std::exp(-a.log_modulation_at(radius, std::atan2(-double(ky), double(col))));
      order[next[rings.ring[i]]++] = std::uint32_t(i);
    }
  }
  for (std::size_t k = 1; k + 1 < rings.start.size(); ++k) {
    const std::uint32_t lo = rings.start[k], hi = rings.start[k + 1];
    if (hi == lo) continue;
    double mean_w = 0;
    for (std::uint32_t r = lo; r < hi; ++r) mean_w += weight[order[r]];
    mean_w /= double(hi - lo);
    double m = 0.69314718055994530942 / mean_w;
    for (int it = 0; it < 30; ++it) {  // Newton on a convex, decreasing function: converges from below or above
      double f = 0, df = 0;
      for (std::uint32_t r = lo; r < hi; ++r) {
        const double w = weight[order[r]], e = std::exp(-m * w);
        f += e;
        df -= w * e;
      }
      f = f / double(hi - lo) - 0.5;
      df /= double(hi - lo);
      if (!(df < 0)) break;
      const double step = f / df;
      m = std::max(0.5 * m, m - step);
      if (std::fabs(step) < 1e-12 * m) break;
    }
    const double scale = 0.69314718055994530942 / m;  // the field's ring power was median / ln 2
    for (std::uint32_t r = lo; r < hi; ++r) {
      const std::uint32_t i = order[r];
      amp[i] = float(double(amp[i]) * std::sqrt(scale / weight[i]));
    }
  }
}

// A Gaussian random field of side x side px with the given Fourier amplitudes: what the image
// would look like with the same contrast transfer and no local order. The coefficients are drawn
// directly (Box-Muller: Rayleigh modulus, uniform phase; null_draws.hpp), which is the spectrum of
// white noise without its forward FFT; the kx = 0 and Nyquist columns are made Hermitian so the
// field is real.
// `fft` and `field` are the calling thread's buffers, kept from field to field.
// `draws` from a batch's cache, or nullptr: then drawn from `seed` a block at a time (the same values).
void null_field(const std::vector<float>& amp, const NullDraws* draws, std::uint64_t seed, RealFft2d& fft,
                ImageF& field) {
  const int side = fft.width(), cols = fft.columns();
  std::complex<float>* g = fft.spectrum();
  auto coefficients = [&](std::size_t first, std::size_t n, const float* modulus, const float* cosine,
                          const float* sine) {
    for (std::size_t i = 0; i < n; ++i) {
      const float r = amp[first + i] * modulus[i];
      g[first + i] = std::complex<float>(r * cosine[i], r * sine[i]);
    }
  };
  if (draws) {
    coefficients(0, amp.size(), draws->modulus.data(), draws->cos.data(), draws->sin.data());
  } else {
    constexpr std::size_t kBlock = 1024;
    float modulus[kBlock], cosine[kBlock], sine[kBlock];
    NullDrawStream stream(seed);
    for (std::size_t first = 0; first < amp.size(); first += kBlock) {
      const std::size_t n = std::min(kBlock, amp.size() - first);
      stream.next(n, modulus, cosine, sine);
      coefficients(first, n, modulus, cosine, sine);
    }
  }
  for (int col : {0, side % 2 == 0 ? side / 2 : -1}) {
    if (col < 0) continue;
    auto at = [&](int row) -> std::complex<float>& {
      return g[std::size_t(row) * std::size_t(cols) + std::size_t(col)];
    };
    for (int row = 1; row < (side + 1) / 2; ++row) at(side - row) = std::conj(at(row));
    at(0) = at(0).real();
    if (side % 2 == 0) at(side / 2) = at(side / 2).real();
  }
  fft.inverse();
  if (field.width != side || field.height != side) field = ImageF(side, side);
  const float scale = 1.f / (float(side) * float(side));
  const float* r = fft.real();
  for (std::size_t i = 0; i < field.pixels.size(); ++i) field.pixels[i] = r[i] * scale;
}

// Peaks over threshold: the excesses of the top 10 % of null maxima over their lower edge u are
// close to exponential, so the 1 - alpha quantile is u + mean_excess * ln(0.1 / alpha). This
// uses a hundred or more values where the plain order statistic at 0.99 rests on about ten,
// and so varies far less from one null draw to the next.
void set_levels_from_maxima(std::vector<double> maxima, const ThresholdOptions& options, SpotThreshold& t) {
  std::sort(maxima.begin(), maxima.end());
  const std::size_t first = std::size_t(std::floor((1.0 - t.tail_share) * double(maxima.size())));
  t.tail_start = maxima[first];
  double excess = 0;
  for (std::size_t i = first; i < maxima.size(); ++i) excess += maxima[i] - t.tail_start;
  t.tail_mean_excess = std::max(1e-9, excess / double(maxima.size() - first));
  t.null_maxima = std::move(maxima);
  t.value = level_for_p_value(t, options.alpha);
  t.secondary_value = std::min(t.value, level_for_p_value(t, options.alpha_secondary));
  t.null_boxes_used = int(t.null_maxima.size());
  t.null_median_max = median(t.null_maxima);
}

// Strongest whitened peak of every box of a known-amorphous reference image, measured exactly like
// the real boxes.
std::vector<double> reference_maxima(const ImageF& ref, int n, const SpectrumGeometry& geometry, WindowKind window,
                                     AcfMode acf, const std::vector<float>* inverse_modulation, int threads) {
  const int bx = ref.width / n, by = ref.height / n;
  const long count = long(bx) * by;
  const int nthreads = resolve_threads(threads, std::max(1L, count));
  std::vector<std::unique_ptr<BoxTransformer>> tr;
  std::vector<std::unique_ptr<BoxMeasurer>> me;
  for (int k = 0; k < nthreads; ++k) {
    tr.push_back(spots_only_transformer(geometry, window, acf));  // max_whitened needs the spots alone
    me.push_back(std::make_unique<BoxMeasurer>(geometry, false, inverse_modulation));  // the strongest peak alone
  }
  std::vector<double> v(std::size_t(count), -1.0);
  parallel_for(count, nthreads, [&](long i, int th) {
    if (tr[std::size_t(th)]->transform(ref, int(i % bx) * n, int(i / bx) * n))
      v[std::size_t(i)] = me[std::size_t(th)]->measure(*tr[std::size_t(th)], 1e30, 1e30).max_whitened;
  });
  v.erase(std::remove(v.begin(), v.end(), -1.0), v.end());
  return v;
}

// The null's crops and fields are squares of at most 1024 px (memory stays small on 4k images), of
// the largest side up to the image's shorter one whose prime factors are all 7 or less (1000, 1008,
// 1024 ... a crop may be any size). At 0.0199 nm/px a 1021 px image (a prime) took 0.21 s against
// 0.13 s at 1024 px, 997 px 0.26 s, 1012 px (4 x 11 x 23) 0.18 s, its ten crop and field FFTs on
// FFTW's slow path; with a 1014 px crop (2 x 3 x 13^2) the 1021 px image still took 0.16 s.
int null_crop_side(const StoredImage& image) {
  return smooth_fft_length(std::min({image.width, image.height, 1024}));
}

// Null fields an image's calibration draws at most (whatever --null-boxes asks).
constexpr int kMaxNullCopies = 64;

// One FFT pair per thread, made on the thread's first use: its crops, then its null fields (both
// side x side). A slot per thread that may ask; unused slots hold nothing.
class ThreadFfts {
 public:
  ThreadFfts(int side, int threads) : side_(side), ffts_(static_cast<std::size_t>(std::max(1, threads))) {}
  RealFft2d& of(int thread) {  // each thread makes and uses only its own
    auto& f = ffts_[std::size_t(thread)];
    if (!f) f = std::make_unique<RealFft2d>(side_, side_);
    return *f;
  }

 private:
  int side_;
  std::vector<std::unique_ptr<RealFft2d>> ffts_;
};

// The radial power spectrum the null fields are given, per ring of a side x side crop.
struct NullSpectrum {
  std::vector<double> rings;
  std::vector<std::pair<int, int>> crops;  // top-left corners of the crops whose rings were used
  int used_crops = 0;
  bool masked = false;    // a mask (vacuum, annotations, user) touched the image
  bool weighted = false;  // every crop was touched, so the crops were weighted to the specimen
};

// Crops whose spectra make a calibration's null, and those of them a reuse check on crops reads (for
// a calibration without its grid's ring power, saved by an older mgscope; grid_spectrum.hpp).
constexpr int kNullCrops = 4, kCheckCrops = 2;
// Boxes a reuse check's direction measurement needs at whole-box steps: with 200 the noise of the
// modulation it measures is a third of the reuse tolerance (0.048 on 2048^2 images).
constexpr long kCheckBoxes = 200;

// Each unweighted crop's rings, by its top-left corner: a reuse check's crops are two of the four a
// refused image's own calibration then reads, and are not measured twice.
using CropAt = std::pair<int, int>;  // x, y of the crop's top-left pixel
using CropRings = std::map<CropAt, std::vector<double>>;

// Clean crops (no vacuum, annotation or user-masked pixel) standing in for tiles the mask touched:
// the positions of a lattice of a quarter crop over the image, its last row and column on the image's
// far edges, taken one at a time as far as possible from those already chosen (the distance between
// centres; the first in reading order on a tie), until `count` crops are chosen. Why: the tiles lie
// on a fixed grid, and a scale bar in one corner and vacuum along one side can touch every tile of a
// 2048 px image but one, or the only tile of a 2000 px one, while most of the image is clean specimen.
// The weighted crops that were then used put the level 2-4 lower (measured: a 2000 px synthetic glass
// with vacuum and a scale bar, flipped and turned: 15.6 against 18.3-19.4 with a clean crop, 19.7
// on the same glass without them), and so more amorphous boxes over it.
void add_clean_crops(const SpecimenMask& mask, const StoredImage& image, int side, std::size_t count,
                     std::vector<CropAt>& chosen) {
  const int step = std::max(1, side / 4);
  auto positions = [&](int extent) {
    std::vector<int> v;
    for (int p = 0; p + side <= extent; p += step) v.push_back(p);
    if (v.back() != extent - side) v.push_back(extent - side);
    return v;
  };
  std::vector<CropAt> candidates;
  for (int oy : positions(image.height))
    for (int ox : positions(image.width))
      if (std::find(chosen.begin(), chosen.end(), CropAt{ox, oy}) == chosen.end() &&
          mask.flagged_in(ox, oy, ox + side, oy + side) == 0)
        candidates.push_back({ox, oy});
  while (chosen.size() < count && !candidates.empty()) {
    auto best = candidates.begin();
    double best_distance = -1;
    for (auto c = candidates.begin(); c != candidates.end(); ++c) {
      double nearest = std::numeric_limits<double>::infinity();
      for (const CropAt& at : chosen)
        nearest = std::min(nearest, std::hypot(double(c->first - at.first), double(c->second - at.second)));
      if (nearest > best_distance) best_distance = nearest, best = c;
    }
    chosen.push_back(*best);
    candidates.erase(best);
  }
}

// Ring medians averaged over up to `max_crops` crops spread over the image's tiles (squares of the
// crop's side from the top-left corner). With a mask (vacuum, annotations, user), only crops it leaves
// untouched are used: the untouched tiles, and in place of the touched ones clean crops between the
// tiles (add_clean_crops), so that a masked image is calibrated on as many crops as a clean one of
// its size. When no crop is clean, the `max_crops` tiles with the most specimen are weighted to it (a
// weighted crop's spectrum is blurred by the weight's own, so untouched crops are preferred: measured
// on a 4096 px image with a burned-in bar, weighting its crop put the level 2 lower than leaving the
// crop out). Unweighted crops already in `known` are taken from it, and those measured here are added
// to it.
NullSpectrum null_spectrum(const StoredImage& image, int side, int n, const SpecimenMask* mask, const RingTable& rings,
                           int threads, ThreadFfts& ffts, CropRings& known, int max_crops = kNullCrops) {
  NullSpectrum out;
  const bool integer_pixels = image.type() != PixelType::f32;  // 8- or 16-bit integers, as stored
  const int crops_x = image.width / side, crops_y = image.height / side, tiles = crops_x * crops_y;
  auto tile_at = [&](int tile) { return CropAt{(tile % crops_x) * side, (tile / crops_x) * side}; };
  out.masked = mask && mask->has_pixels() && (mask->vacuum_px + mask->annotation_px + mask->user_px) > 0;
  std::vector<long> masked_px(static_cast<std::size_t>(tiles), 0);
  if (out.masked)
    for (int tile = 0; tile < tiles; ++tile) {
      const auto [ox, oy] = tile_at(tile);
      masked_px[std::size_t(tile)] = mask->flagged_in(ox, oy, ox + side, oy + side);
    }
  std::vector<int> clean;
  for (int tile = 0; tile < tiles; ++tile)
    if (!masked_px[std::size_t(tile)]) clean.push_back(tile);
  std::vector<CropAt> chosen;
  const std::size_t wanted = std::size_t(std::min(max_crops, tiles));
  const std::size_t k_max = std::min(wanted, clean.size());
  for (std::size_t k = 0; k < k_max; ++k) chosen.push_back(tile_at(clean[k * clean.size() / k_max]));
  if (chosen.size() < wanted) add_clean_crops(*mask, image, side, wanted, chosen);
  out.weighted = chosen.empty();
  if (out.weighted) {
    std::vector<int> order(static_cast<std::size_t>(tiles));
    for (int tile = 0; tile < tiles; ++tile) order[std::size_t(tile)] = tile;
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return masked_px[std::size_t(a)] < masked_px[std::size_t(b)]; });
    order.resize(wanted);
    for (int tile : order) chosen.push_back(tile_at(tile));
  }
  double total_weight = 0;
  for (int pass = 0; pass < 2 && total_weight == 0; ++pass) {  // pass 1: unweighted, if no crop had specimen
    // Each crop's spectrum on its own thread, summed below in crop order (the same sum for any
    // thread count).
    std::vector<std::vector<double>> crop_rings(chosen.size());
    std::vector<double> shares(chosen.size(), 1.0);
    std::vector<int> to_measure;  // indices into chosen
    for (std::size_t k = 0; k < chosen.size(); ++k) {
      const auto at = out.weighted ? known.end() : known.find(chosen[k]);
      if (at != known.end()) crop_rings[k] = at->second;
      else to_measure.push_back(int(k));
    }
    parallel_for(long(to_measure.size()), resolve_threads(threads, long(to_measure.size())), [&](long i, int th) {
      const std::size_t k = std::size_t(to_measure[std::size_t(i)]);
      const auto [ox, oy] = chosen[k];
      RealFft2d& fft = ffts.of(th);
      image.copy_block(ox, oy, side, side, fft.real(), side);
      std::vector<float> weight;
      if (out.weighted && pass == 0) {
        weight = specimen_weight(*mask, ox, oy, side, n);
        double sum = 0;
        for (float w : weight) sum += w;
        shares[k] = sum / double(weight.size());
        if (shares[k] < 0.1) return;
      }
      crop_rings[k] = ring_power(fft, weight, rings, integer_pixels);
    });
    if (!out.weighted)
      for (int k : to_measure) known[chosen[std::size_t(k)]] = crop_rings[std::size_t(k)];
    for (std::size_t k = 0; k < chosen.size(); ++k) {
      const double share = shares[k];
      const std::vector<double>& p = crop_rings[k];
      if (p.empty()) continue;
      // Each crop's rings are normalised to their total first, so crops of different specimen
      // area (and so total power) weigh by their share alone.
      double norm = 0;
      for (std::size_t i = 1; i < p.size(); ++i) norm += p[i];
      if (!(norm > 0)) continue;
      if (out.rings.empty()) out.rings.assign(p.size(), 0.0);
      for (std::size_t i = 0; i < p.size(); ++i) out.rings[i] += share * p[i] / norm;
      total_weight += share;
      ++out.used_crops;
      out.crops.push_back(chosen[k]);
    }
  }
  return out;
}

// null_spectrum of an image whose crops no calibration shares (a --reference image; the spectrum alone,
// specimen_radial_spectrum), with its own transforms.
NullSpectrum null_spectrum_alone(const StoredImage& image, int side, int n, const SpecimenMask* mask, int threads) {
  ThreadFfts ffts(side, resolve_threads(threads, kNullCrops));
  CropRings none;
  return null_spectrum(image, side, n, mask, *ring_table(side), threads, ffts, none);
}

// How differently two images' null spectra (rings of side x side crops) would whiten an n px box:
// the log of each spectrum's mean power over the crop rings that make box ring k, for k = 3 up to
// the highest ring a box's measurement reads; the root mean square of the difference between the
// two, less its mean (an overall scale changes nothing, every box is brought to unit variance).
// The rms, not the largest difference: on synthetic glass both separate images of the same
// conditions from images of another blur or dose, and the rms with the wider margin (same
// conditions 0.07-0.14, other conditions from 0.35; the largest: 0.14-0.31 against 0.58).
// Infinite when a ring has no power in one of them.
double spectrum_mismatch(const std::vector<double>& a, const std::vector<double>& b, int side, int n,
                         int highest_ring) {
  if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
  if (highest_ring < 3) return 0;  // no ring to compare
  // Each spectrum's power over the crop rings of box ring k, compared as a box's own ring powers are
  // (box_ring_mismatch reads rings 3 and up).
  const double crop_per_box = double(side) / double(n);
  std::vector<double> sa(std::size_t(highest_ring) + 1, 0.0), sb = sa;
  for (int k = 3; k <= highest_ring; ++k) {
    const auto lo = std::size_t(std::ceil(crop_per_box * (k - 0.5)));
    const auto hi = std::min(a.size() - 1, std::size_t(std::floor(crop_per_box * (k + 0.5))));
    for (std::size_t i = lo; i <= hi; ++i) {
      sa[std::size_t(k)] += a[i];
      sb[std::size_t(k)] += b[i];
    }
  }
  return box_ring_mismatch(sa, sb);
}

void require_same_search(const SpotThreshold& from, const SpectrumGeometry& geometry) {
  if (from.search_pixels != geometry.search_pixels())
    throw InputError("the spot threshold to reuse was calibrated for another box or pixel size (" +
                     std::to_string(from.search_pixels) + " search pixels, here " +
                     std::to_string(geometry.search_pixels()) + ")");
}

}  // namespace

double box_p_value(const SpotThreshold& t, double x) {
  if (t.null_maxima.empty()) return std::min(1.0, double(t.search_pixels) * std::exp(-x));
  if (x >= t.tail_start) return t.tail_share * std::exp(-(x - t.tail_start) / t.tail_mean_excess);
  const auto above = t.null_maxima.end() - std::upper_bound(t.null_maxima.begin(), t.null_maxima.end(), x);
  return std::min(1.0, (double(above) + 1.0) / (double(t.null_maxima.size()) + 1.0));
}

double level_for_p_value(const SpotThreshold& t, double p) {
  if (t.null_maxima.empty()) return std::log(double(t.search_pixels) / p);
  if (p < t.tail_share) return t.tail_start + t.tail_mean_excess * std::log(t.tail_share / p);
  return t.null_maxima[std::size_t((1.0 - p) * double(t.null_maxima.size() - 1))];
}

std::string ThresholdOptions::check() const {
  if (!(alpha > 0 && alpha < 1)) return "--alpha must lie between 0 and 1";
  if (!(alpha_secondary >= alpha && alpha_secondary < 1)) return "--alpha-secondary must lie between --alpha and 1";
  if (mode == ThresholdMode::fixed && !(fixed && *fixed > 0)) return "--spot-threshold must be above 0";
  if (mode == ThresholdMode::null_model && null_boxes < 20) return "--null-boxes must be at least 20";
  return "";
}

SpotThreshold choose_spot_threshold(const StoredImage& image, const BoxGrid& grid, const SpectrumGeometry& geometry,
                                    WindowKind window, AcfMode acf, const ThresholdOptions& options,
                                    int threads, const SpecimenMask* mask) {
  if (const std::string bad = options.check(); !bad.empty()) throw InputError(bad);
  const int side = null_crop_side(image);
  // Shared by the reuse check's crops and the calibration's crops and fields (at most 4 crops and
  // kMaxNullCopies fields at once).
  ThreadFfts ffts(side, resolve_threads(threads, kMaxNullCopies));
  double mismatch = std::numeric_limits<double>::quiet_NaN();
  double direction_change = std::numeric_limits<double>::quiet_NaN();
  CropRings known_crops;
  if (options.reuse) {
    const SpotThreshold& from = *options.reuse;
    require_same_search(from, geometry);
    const bool check = options.reuse_tolerance > 0 && options.mode == ThresholdMode::null_model &&
                       from.mode == ThresholdMode::null_model && !from.null_spectrum.empty();
    if (check) {
      mismatch = std::numeric_limits<double>::infinity();  // crops of another size: not comparable
      if (side == from.null_spectrum_side) {
        // Two of the four crops a calibration reads (the image's own calibration, if the reuse is
        // refused, reads all four as always). On 20 synthetic 2048^2 images of one session the
        // mismatch to the first image's four was 0.04-0.16 from two crops, 0.03-0.13 from four and
        // 0.06-0.23 from one (one image refused); another dose or focus gives 0.35 and more.
        const NullSpectrum part = null_spectrum(image, side, grid.box_px, mask, *ring_table(side), threads, ffts,
                                                known_crops, kCheckCrops);
        mismatch = spectrum_mismatch(part.rings, from.null_spectrum, side, grid.box_px, geometry.highest_column_read());
        // A blurred image after a sharp one (or the other way round) may keep its radial spectrum and
        // still need another noise model: the direction dependence is compared too, on the same crops,
        // at whole-box steps where they hold kCheckBoxes (two 1024 px crops at 100 px: 200 boxes, a
        // quarter of the half-box steps' cost; the change is a modulation's size, not a significance,
        // see whitening_change), else at half-box steps as a calibration.
        if (mismatch <= options.reuse_tolerance && options.follow_anisotropy) {
          const long per_side = (side - grid.box_px) / grid.box_px + 1;
          const int step = long(part.crops.size()) * per_side * per_side >= kCheckBoxes ? grid.box_px : 0;
          direction_change = whitening_change(
              measure_spectrum_anisotropy(image, part.crops, side, geometry, window, acf, mask, threads, step),
              from.anisotropy, geometry);
        }
      }
    }
    if (!check || reuse_passes(mismatch, direction_change, options.reuse_tolerance)) {
      SpotThreshold reused = reused_threshold(from, geometry);
      if (check) note_reuse_check(reused, mismatch, direction_change, options.reuse_tolerance);
      return reused;
    }
  }
  SpotThreshold t;
  t.mode = options.mode;
  t.formula_value = std::log(double(geometry.search_pixels()) / options.alpha);
  t.search_pixels = geometry.search_pixels();
  if (options.mode == ThresholdMode::reference && !options.reference)
    throw InputError("--threshold-mode reference needs --reference IMAGE");
  // Every mode reads the specimen's radial spectrum (the null's fields; the halo check and the detection
  // limit) and its direction dependence (directional blur, an elliptical halo: docs/hrtem.md, step 6),
  // which the boxes' whitening, and the null's fields, follow where it is significant. The modes
  // without a null follow it too: whitened by the radial spectrum alone, a 0.2 nm motion blur read
  // 40 % of a glass's boxes ordered at the formula level, where it holds 5 %.
  const int n = grid.box_px;
  const std::shared_ptr<const RingTable> ring_table_kept = ring_table(side);
  const RingTable& rings = *ring_table_kept;
  NullSpectrum spectrum = null_spectrum(image, side, n, mask, rings, threads, ffts, known_crops);
  t.null_spectrum = spectrum.rings;
  t.null_spectrum_side = side;
  if (options.follow_anisotropy) {
    t.anisotropy = measure_spectrum_anisotropy(image, spectrum.crops, side, geometry, window, acf, mask, threads);
    t.inverse_modulation = inverse_box_modulation(t.anisotropy, geometry);
  }
  std::ostringstream d;
  if (options.mode == ThresholdMode::fixed) {
    t.value = t.secondary_value = *options.fixed;
    d << "fixed by the user at " << t.value;
    t.description = d.str();
    return t;
  }
  if (options.mode == ThresholdMode::formula) {
    t.value = t.formula_value;
    t.secondary_value = std::log(double(geometry.search_pixels()) / options.alpha_secondary);
    d << "ln(M / alpha) with M = " << geometry.search_pixels() << " search pixels, alpha = " << options.alpha;
    t.description = d.str();
    return t;
  }
  if (options.mode == ThresholdMode::reference) {
    // The reference's boxes are whitened by its own direction dependence, as the image's are by the
    // image's: the radial whitening alone would read a blurred reference's speckle as spots and set
    // the level high. Where the two dependences differ, the reference was taken under other
    // conditions (blur, astigmatism, another halo) and its level is doubtful here: said.
    SpectrumAnisotropy reference_directions;
    std::vector<float> reference_whitening;
    if (options.follow_anisotropy) {
      const StoredImage reference(*options.reference);
      const int reference_side = null_crop_side(reference);
      const NullSpectrum reference_spectrum = null_spectrum_alone(reference, reference_side, n, nullptr, threads);
      reference_directions = measure_spectrum_anisotropy(reference, reference_spectrum.crops, reference_side, geometry,
                                                         window, acf, nullptr, threads);
      reference_whitening = inverse_box_modulation(reference_directions, geometry);
      const double change = whitening_change(t.anisotropy, reference_directions, geometry);
      if (change > kAnisotropyReuseTolerance) {
        std::ostringstream doubt;
        doubt << std::setprecision(2) << "the --reference image's amorphous spectrum depends on direction otherwise "
              << "than this image's (by " << change << " rms in log power; " << kAnisotropyReuseTolerance
              << " would reuse a calibration): it was taken under other conditions (blur, astigmatism, another "
                 "halo), so the level calibrated on it may not hold here and the ordered fractions are doubtful";
        t.doubt = doubt.str();
      }
    }
    std::vector<double> maxima =
        reference_maxima(*options.reference, grid.box_px, geometry, window, acf, &reference_whitening, threads);
    if (maxima.size() < 20)
      throw InputError("the reference image holds " + std::to_string(maxima.size()) +
                       " boxes; at least 20 are needed to calibrate the spot threshold on it");
    set_levels_from_maxima(std::move(maxima), options, t);
    d << "quantile " << (1.0 - options.alpha) << " (exponential tail fit to the top 10 %) of the strongest "
      << "whitened peak over " << t.null_boxes_used << " boxes of the known-amorphous reference image";
    t.description = d.str();
    return t;
  }

  // Null boxes overlap by half a box: a random field costs far more (its random coefficients and
  // its inverse FFT) than the boxes measured on it, and half-overlapping boxes are nearly as
  // informative as disjoint ones. Measured on a 2048 px synthetic glass over 12 seeds, 2000 null
  // boxes: the level's spread between seeds was sd 0.73 with half-box steps (6 fields) against
  // 0.87 with disjoint boxes (20 fields), at 40 % of the cost.
  const int null_step = std::max(1, n / 2);
  const int per_side = (side - n) / null_step + 1;
  const int per_copy = per_side * per_side;
  const int copies = std::min(kMaxNullCopies, (options.null_boxes + per_copy - 1) / per_copy);
  const std::vector<double>& ring_pow = spectrum.rings;
  const bool masked = spectrum.masked, weighted = spectrum.weighted;
  const int used_crops = spectrum.used_crops;
  std::vector<float> amplitudes = coefficient_amplitudes(ring_pow, rings);
  if (!t.inverse_modulation.empty()) modulate_amplitudes(t.anisotropy, side, rings, amplitudes);
  // Copies run in parallel, each with its own seed, and land in their own slot: the result does
  // not depend on the thread count.
  const int nthreads = resolve_threads(threads, copies);
  std::vector<std::unique_ptr<BoxTransformer>> transformers;
  std::vector<std::unique_ptr<BoxMeasurer>> measurers;
  for (int k = 0; k < nthreads; ++k) {
    transformers.push_back(spots_only_transformer(geometry, window, acf));  // max_whitened needs the spots alone
    measurers.push_back(std::make_unique<BoxMeasurer>(geometry, false, &t.inverse_modulation));  // the strongest peak
  }
  std::vector<std::vector<double>> per_copy_maxima(static_cast<std::size_t>(copies));
  std::vector<ImageF> fields(static_cast<std::size_t>(nthreads));
  parallel_for(copies, nthreads, [&](long copy, int th) {
    const std::uint64_t seed = options.seed + 0x9E3779B97F4A7C15ull * std::uint64_t(copy);
    // Without a cache, or beyond its size, the draws are streamed into the field.
    const NullDraws* draws = options.draw_cache ? options.draw_cache->find_or_draw(amplitudes.size(), seed) : nullptr;
    ImageF& field = fields[std::size_t(th)];
    null_field(amplitudes, draws, seed, ffts.of(th), field);
    const StoredImage pixels(field);  // borrowed
    BoxTransformer& tr = *transformers[std::size_t(th)];
    tr.forget_shared_rows();  // the field was redrawn in place
    // A column of boxes at a time, top to bottom: each row is shared by the two boxes that hold it.
    // (The maxima's order does not matter: they are sorted.)
    for (int column = 0; column < per_side; ++column)
      for (int row = 0; row < per_side; ++row)
        if (tr.transform_sharing_rows(pixels, column * null_step, row * null_step))
          per_copy_maxima[std::size_t(copy)].push_back(
              measurers[std::size_t(th)]->measure(tr, 1e30, 1e30).max_whitened);
  });
  std::vector<double> maxima;
  for (const auto& m : per_copy_maxima) maxima.insert(maxima.end(), m.begin(), m.end());
  if (maxima.size() < 20)
    throw InputError("too few boxes to calibrate the spot threshold on a null; use --threshold-mode formula");
  set_levels_from_maxima(std::move(maxima), options, t);
  d << "quantile " << (1.0 - options.alpha) << " (exponential tail fit to the top 10 %) of the strongest "
    << "whitened peak over " << t.null_boxes_used << " boxes of random fields with "
    << (masked ? "the radial power spectrum of the image's specimen (" + std::to_string(used_crops) +
                     (weighted ? " crop(s), vacuum, annotations and masked areas weighted out)"
                               : " crop(s) free of vacuum, annotations and masked areas)")
               : std::string("the image's radial power spectrum (") + std::to_string(used_crops) + " crop(s))")
    << " and random phases (no local order; seed " << options.seed << ")";
  t.description = d.str();
  if (options.reuse) note_refused_reuse(t, mismatch, direction_change, options.reuse_tolerance);
  return t;
}

bool reuse_passes(double mismatch, double direction_change, double tolerance) {
  return mismatch <= tolerance && !(direction_change > kAnisotropyReuseTolerance);
}

SpotThreshold reused_threshold(const SpotThreshold& from, const SpectrumGeometry& geometry) {
  require_same_search(from, geometry);
  SpotThreshold reused = from;
  // A calibration read from a file carries the model, not its per-coefficient form.
  if (reused.anisotropy.significant && reused.inverse_modulation.empty())
    reused.inverse_modulation = inverse_box_modulation(reused.anisotropy, geometry);
  if (reused.description.rfind("reused: ", 0) != 0) reused.description = "reused: " + reused.description;
  reused.spectrum_mismatch = reused.direction_change = std::numeric_limits<double>::quiet_NaN();
  reused.reused = true;
  return reused;
}

void note_reuse_check(SpotThreshold& reused, double mismatch, double direction_change, double tolerance) {
  reused.spectrum_mismatch = mismatch;
  reused.direction_change = direction_change;
  std::ostringstream note;
  note << "; this image's radial spectrum differs from it by " << mismatch << " (at most " << tolerance
       << " reuses it)";
  reused.description += note.str();
}

void note_refused_reuse(SpotThreshold& own, double mismatch, double direction_change, double tolerance) {
  own.reuse_refused = true;
  own.spectrum_mismatch = mismatch;
  own.direction_change = direction_change;
  std::ostringstream d;
  if (std::isfinite(mismatch) && mismatch <= tolerance)
    d << "; calibrated on this image, since the direction dependence of its amorphous spectrum differs from that "
         "of the calibration offered for reuse ("
      << "by " << direction_change << " rms in log power, at most " << kAnisotropyReuseTolerance << " reuses it)";
  else if (std::isfinite(mismatch))
    d << "; calibrated on this image, since its radial spectrum differs from that of the calibration offered for "
         "reuse by "
      << mismatch << " (more than " << tolerance << ")";
  else
    d << "; calibrated on this image, since its spectrum cannot be compared with that of the calibration offered "
         "for reuse (fewer than "
      << kGridCheckMinBoxes << " specimen boxes to compare, or null crops of another size)";
  own.description += d.str();
}

double white_noise_share(const std::vector<double>& ring_power, int side, int box_px) {
  const std::shared_ptr<const RingTable> table = ring_table(side);
  const std::size_t rings = std::min(ring_power.size(), table->rings());
  const std::size_t nyquist = std::size_t(side / 2), first_flat = std::size_t(std::lround(0.8 * double(side / 2)));
  std::vector<double> flat;
  for (std::size_t k = first_flat; k <= nyquist && k < rings; ++k) flat.push_back(ring_power[k]);
  if (flat.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double level = median_in_place(flat.data(), flat.data() + flat.size());
  // Rings a box resolves: from its fundamental (side / box_px crop pixels) out; each weighs by its
  // coefficients, as the variance sums them.
  double total = 0, noise = 0;
  for (std::size_t k = std::size_t(std::max(1, side / std::max(1, box_px))); k < rings; ++k) {
    const double coefficients = double(table->start[k + 1] - table->start[k]);
    total += coefficients * ring_power[k];
    noise += coefficients * std::min(level, ring_power[k]);
  }
  return total > 0 ? noise / total : std::numeric_limits<double>::quiet_NaN();
}

ImageF draw_null_field(const std::vector<double>& ring_power, int side, const SpectrumAnisotropy* follow,
                       std::uint64_t seed, int field_side) {
  if (field_side <= 0) field_side = side;
  // Ring k of the field is ring k side / field_side of the crop (the same frequency), between two of its
  // rings: interpolated. The overall scale does not matter (a box is brought to unit variance).
  std::vector<double> power = ring_power;
  if (field_side != side && !ring_power.empty()) {
    power.assign(std::size_t(field_side) + 2, 0.0);
    for (std::size_t k = 0; k < power.size(); ++k) {
      const double at = double(k) * double(side) / double(field_side);
      const std::size_t below = std::size_t(at);
      if (below + 1 >= ring_power.size()) break;  // beyond the crop's corner: no power
      const double t = at - double(below);
      power[k] = (1 - t) * ring_power[below] + t * ring_power[below + 1];
    }
  }
  const std::shared_ptr<const RingTable> rings = ring_table(field_side);
  std::vector<float> amplitudes = coefficient_amplitudes(power, *rings);
  if (follow) modulate_amplitudes(*follow, field_side, *rings, amplitudes);
  RealFft2d fft(field_side, field_side);
  ImageF field;
  null_field(amplitudes, nullptr, seed, fft, field);
  return field;
}

std::vector<double> specimen_radial_spectrum(const StoredImage& image, int box_px, const SpecimenMask* mask,
                                             int threads, int& side_px) {
  side_px = null_crop_side(image);
  return null_spectrum_alone(image, side_px, box_px, mask, threads).rings;
}

}  // namespace mgscope

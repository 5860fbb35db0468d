// Vacuum is decided on sub-boxes of half the box side, side by side (finer than the boxes, so a
// box half over vacuum is seen as such), by one number, R = mean power in the specimen band / mean power near
// Nyquist. Shot noise alone gives R near 1 (near 2-5 behind a camera's MTF); specimen contrast
// gives a clearly higher R. The cut is not absolute: the sub-boxes are split in two by Otsu's rule
// on ln R, and the low group is taken as vacuum only when it is tight (a noise floor) and well
// below the rest. An image without vacuum has no such second mode and loses nothing.
#include "imaging/specimen_mask.hpp"

#include <algorithm>
#include <bitset>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>

#include "fitting/base/core_lending.hpp"
#include "fitting/base/select.hpp"
#include "imaging/box_transform.hpp"
#include "fitting/base/parallel_for.hpp"

namespace mgscope {

namespace {

constexpr int kMinAnnotationPx = 16;   // hot-pixel clusters are smaller; the dot of an 'i' is not
constexpr int kAnnotationRimPx = 2;    // anti-aliased or JPEG-rung outline of a burned-in shape
constexpr int kLargeShapePx = 400;     // a shape this large is left out whatever its rim
constexpr double kRimContrast = 0.25;  // least mean step at a shape's rim, in units of the 0.1-99.9 % range

// The annotation search takes its 0.1-99.9 % range from a regular sample of about 200,000 pixels:
// every step-th pixel in row order, from the first.
std::size_t sample_step(std::size_t pixels) { return std::max<std::size_t>(1, pixels / 200000); }

// How many of the image's first `pixels` pixels (in row order) are in the sample: where the
// sample of the row starting at pixel `pixels` goes.
std::size_t samples_before(std::size_t pixels, std::size_t step) { return (pixels + step - 1) / step; }

// Writes at `out` the sampled pixels of a row whose first pixel is pixel `row_start` of the image;
// returns where the next row's go.
template <class T>
float* sample_row(const unsigned char* bytes, std::size_t row_start, std::size_t width, std::size_t step, float* out) {
  for (std::size_t x = samples_before(row_start, step) * step - row_start; x < width; x += step)
    *out++ = static_cast<float>(PixelRows<T>::value_in(bytes, x));
  return out;
}

// The smallest and largest value, the sum and whether all are whole numbers, of rows [y0, y1),
// taken row by row from the left, and the rows' pixels of the sample (sample_step), written from
// `sample` on (their place in the sample: samples_before(y0 * width)): taken in this
// pass, whose threads read every pixel anyway, rather than gathered afterwards on one thread from
// all over the image (5-7 ms of a 4096^2 image, 14 ms at 16384^2). Integer pixels are summed as
// integers: every partial sum is a whole number below 2^53, so the double is the same as adding the
// floats one by one, and the loop vectorises.
template <class T>
void band_statistics(const PixelRows<T>& image, int y0, int y1, float& vmin, float& vmax, double& sum,
                     bool& integer, std::size_t step, float* sample) {
  const auto w = std::size_t(image.width);
  if constexpr (std::is_integral_v<T>) {
    T lo = std::numeric_limits<T>::max(), hi = std::numeric_limits<T>::lowest();
    std::int64_t total = 0;
    for (int y = y0; y < y1; ++y) {
      const unsigned char* bytes = image.row(y);
      for (std::size_t i = 0; i < w; ++i) {
        const T v = PixelRows<T>::value_in(bytes, i);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        total += v;
      }
      sample = sample_row<T>(bytes, std::size_t(y) * w, w, step, sample);
    }
    vmin = float(lo);
    vmax = float(hi);
    sum = double(total);
    integer = true;
  } else {
    vmin = vmax = image.at(0, y0);
    for (int y = y0; y < y1; ++y) {
      for (int x = 0; x < image.width; ++x) {
        const float v = image.at(x, y);
        vmin = std::min(vmin, v);
        vmax = std::max(vmax, v);
        sum += v;
        if (integer && v != std::floor(v)) integer = false;
      }
      sample = sample_row<T>(image.row(y), std::size_t(y) * w, w, step, sample);
    }
  }
}

// Saturated (the image's extreme value) or constant-valued extreme shapes of 16 px or more with a
// sharp rim, widened by 2 px. Low-count images (integer, mean < 30) keep only the maximum criterion:
// there zeros and flat 3 x 3 patches happen by chance. `image` is a PixelRows of the stored type
// (each pixel read as the float to_float makes of it).
template <class P>
void find_annotations(const P& image, SpecimenMask& m, int threads) {
  const int w = image.width, h = image.height;
  // Per-pixel passes by bands of rows on threads; the bands' results are combined in band order,
  // so the mean (and all else) is the same for any thread count.
  constexpr int kBandRows = 64;
  const long bands = (h + kBandRows - 1) / kBandRows;
  const int nthreads = resolve_threads(threads, bands);
  struct Band {
    float vmin = 0, vmax = 0;
    double sum = 0;
    bool integer = true;
  };
  std::vector<Band> band(static_cast<std::size_t>(bands));
  const std::size_t step = sample_step(image.size());
  std::vector<float> sample(samples_before(image.size(), step));  // each band writes its own stretch
  parallel_for(bands, nthreads, [&](long b, int) {
    Band& r = band[std::size_t(b)];
    const int y0 = int(b) * kBandRows, y1 = std::min(h, y0 + kBandRows);
    band_statistics(image, y0, y1, r.vmin, r.vmax, r.sum, r.integer, step,
                    sample.data() + samples_before(std::size_t(y0) * std::size_t(w), step));
  });
  float vmin = band[0].vmin, vmax = band[0].vmax;
  double sum = 0;
  bool integer = true;
  for (const Band& r : band) {
    vmin = std::min(vmin, r.vmin);
    vmax = std::max(vmax, r.vmax);
    sum += r.sum;
    integer = integer && r.integer;
  }
  if (!(vmax > vmin)) return;
  const bool low_count = integer && sum / double(image.size()) < 30;
  // Named copies, not a structured binding: C++17 lambdas (the candidate pass) cannot capture those.
  const std::pair<double, double> range = two_quantiles(sample.data(), sample.size(), 0.001, 0.999);
  const double lo = range.first, hi = range.second;
  // A bit plane instead of a byte per pixel (the shapes' walk keeps another of what it has taken).
  BitPlane candidate(w, h);
  // A candidate is extreme: the maximum, or (not low_count) the minimum or beyond the 0.1-99.9 %
  // range. Runs of 64 pixels are first tested for any extreme value in a loop without branches
  // (most runs hold none: about 0.2 % of a micrograph's pixels are extreme); only the others are
  // read pixel by pixel.
  const float top = low_count ? vmax : std::min(vmax, float(hi));
  const float bottom = low_count ? -std::numeric_limits<float>::infinity() : std::max(vmin, float(lo));
  constexpr int kRun = 64;
  parallel_for(bands, nthreads, [&](long b, int) {
    for (int y = int(b) * kBandRows; y < std::min(h, int(b + 1) * kBandRows); ++y)
      for (int x0 = 0; x0 < w; x0 += kRun) {
        const int x1 = std::min(w, x0 + kRun);
        int extreme = 0;
        for (int x = x0; x < x1; ++x) {
          const float v = image.at(x, y);
          extreme |= int(v >= top) | int(v <= bottom);
        }
        if (!extreme) continue;
        for (int x = x0; x < x1; ++x) {
          const float v = image.at(x, y);
          bool f = v == vmax || (!low_count && v == vmin);
          if (!f && !low_count && (v >= hi || v <= lo) && x > 0 && y > 0 && x + 1 < w && y + 1 < h) {
            f = true;
            for (int dy = -1; dy <= 1 && f; ++dy)
              for (int dx = -1; dx <= 1 && f; ++dx) f = image.at(x + dx, y + dy) == v;
          }
          if (f) candidate.set(x, y);
        }
      }
  });
  // Shapes are started from candidates in pixel order (row by row, x rising), as the notes list them.
  for_each_8_connected_group(candidate, [&](const std::vector<int>& members, const BitPlane& taken) {
    if (int(members.size()) < kMinAnnotationPx) return;
    // A burned-in shape has sharp edges: its rim (outside neighbours) differs from it by a good
    // part of the intensity range. Clipped blobs of a contrast-stretched micrograph fade into their
    // surroundings (the contrast is smooth on the pixel scale) and stay in, unless they are large
    // (then a saturated area, which is no specimen data either). A white bar over bright vacuum
    // has a weak rim but is large.
    const float value = image.at(members[0] % w, members[0] / w);
    double rim = 0;
    long rim_px = 0;
    for (int i : members) {
      const int x = i % w, y = i / w;
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int nx = x + dx, ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h || taken.get(nx, ny)) continue;
          rim += std::fabs(double(image.at(nx, ny)) - value);
          ++rim_px;
        }
    }
    if (int(members.size()) < kLargeShapePx && rim_px && rim / double(rim_px) < kRimContrast * (hi - lo)) return;
    if (m.annotation.empty()) m.annotation = BitPlane(w, h);
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int i : members) {
      const int x = i % w, y = i / w;
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
      for (int dy = -kAnnotationRimPx; dy <= kAnnotationRimPx; ++dy)
        for (int dx = -kAnnotationRimPx; dx <= kAnnotationRimPx; ++dx) {
          const int nx = x + dx, ny = y + dy;
          if (nx >= 0 && ny >= 0 && nx < w && ny < h) m.annotation.set(nx, ny);
        }
    }
    ++m.annotation_shapes;
    if (m.annotation_notes.size() < 8) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "%zu px at value %g in x %d..%d, y %d..%d px", members.size(),
                    double(image.at(members[0] % w, members[0] / w)), x0, x1, y0, y1);
      m.annotation_notes.push_back(buf);
    }
  });
}

struct RatioBands {
  std::vector<int> band, noise;  // r2c indices of the specimen band and the noise band
};

RatioBands ratio_bands(int s, double pixel_nm, double d_min_nm, double d_max_nm) {
  RatioBands b;
  const double r_lo = s * pixel_nm / d_max_nm, r_hi = std::min(s * pixel_nm / d_min_nm, s / 2.0 - 1);
  const double n_lo = std::max(r_hi + 1.5, 0.7 * s / 2.0), n_hi = s / 2.0;
  const int half = s / 2 + 1;
  for (int row = 0; row < s; ++row) {
    const int ky = row <= s / 2 ? row : row - s;
    for (int kx = 0; kx < half; ++kx) {
      const double r = std::hypot(double(kx), double(ky));
      if (r >= std::max(1.5, r_lo) && r <= r_hi) b.band.push_back(row * half + kx);
      if (r >= n_lo && r <= n_hi) b.noise.push_back(row * half + kx);
    }
  }
  return b;
}

// Otsu's split of sorted values: the count of the low group maximising the between-group variance.
std::size_t otsu_split(const std::vector<double>& v) {
  const std::size_t n = v.size();
  double total = 0;
  for (double x : v) total += x;
  double low = 0, best = -1;
  std::size_t best_k = 0;
  for (std::size_t k = 1; k < n; ++k) {
    low += v[k - 1];
    const double m0 = low / double(k), m1 = (total - low) / double(n - k);
    const double between = double(k) * double(n - k) * (m0 - m1) * (m0 - m1);
    if (between > best) {
      best = between;
      best_k = k;
    }
  }
  return best_k;
}

double median_of_sorted(const std::vector<double>& v, std::size_t from, std::size_t to) {
  const std::size_t n = to - from;
  return n % 2 ? v[from + n / 2] : 0.5 * (v[from + n / 2 - 1] + v[from + n / 2]);
}

// The band-to-noise ratio R of every sub-box of side s (side by side), -1 for those under the user's
// mask (not usable), or why none could be measured.
struct VacuumRatios {
  int side = 0, nx = 0, ny = 0;
  std::vector<double> ratio;   // row-major, nx x ny
  std::string not_checked;     // empty when measured
};

// Needs only the pixels and the user's mask: the annotations are left out afterwards
// (decide_vacuum), so this can run beside the annotation search.
VacuumRatios vacuum_ratios(const StoredImage& image, double pixel_nm, int s, const MaskOptions& o,
                           const BitPlane& user) {
  VacuumRatios v;
  v.side = s;
  if (s < 16 || image.width < s || image.height < s) {
    v.not_checked = "half a box is under 16 px";
    return v;
  }
  const RatioBands bands = ratio_bands(s, pixel_nm, o.d_min_nm, o.d_max_nm);
  if (bands.band.size() < 8 || bands.noise.size() < 8) {
    v.not_checked = "the d_min..d_max band reaches Nyquist, leaving no band to measure the noise in";
    return v;
  }
  const int nx = (image.width - s) / s + 1, ny = (image.height - s) / s + 1;
  v.nx = nx;
  v.ny = ny;
  const long count = long(nx) * ny;
  std::vector<double>& ratio = v.ratio;
  ratio.assign(std::size_t(count), -1.0);
  const int nthreads = resolve_threads(o.threads, count);
  std::vector<std::unique_ptr<BoxTransformer>> tr;
  for (int k = 0; k < nthreads; ++k)
    tr.push_back(std::make_unique<BoxTransformer>(s, WindowKind::hann, AcfMode::circular, false));
  parallel_for(count, nthreads, [&](long i, int th) {
    const int x0 = int(i % nx) * s, y0 = int(i / nx) * s;
    if (user.any(x0, y0, x0 + s, y0 + s)) return;
    BoxTransformer& b = *tr[std::size_t(th)];
    if (!b.transform(image, x0, y0)) {
      ratio[std::size_t(i)] = 0.0;  // flat: no contrast at all
      return;
    }
    const float* p = b.power();
    double sb = 0, sn = 0;
    for (int k : bands.band) sb += p[k];
    for (int k : bands.noise) sn += p[k];
    sb /= double(bands.band.size());
    sn /= double(bands.noise.size());
    ratio[std::size_t(i)] = sn > 0 ? sb / sn : 1e9;
  });
  return v;
}

// Vacuum cells from the sub-boxes' ratios, those under an annotation left out (not usable, like the
// user-masked ones).
void decide_vacuum(VacuumRatios&& v, SpecimenMask& m) {
  if (!v.not_checked.empty()) {
    m.vacuum_not_checked = std::move(v.not_checked);
    return;
  }
  const int s = v.side, nx = v.nx, ny = v.ny;
  const long count = long(nx) * ny;
  std::vector<double>& ratio = v.ratio;
  if (!m.annotation.empty())
    for (long i = 0; i < count; ++i) {
      const int x0 = int(i % nx) * s, y0 = int(i / nx) * s;
      if (m.annotation.any(x0, y0, x0 + s, y0 + s)) ratio[std::size_t(i)] = -1.0;
    }
  std::vector<double> logs;
  for (double r : ratio)
    if (r >= 0) logs.push_back(std::log(std::max(r, 1e-6)));
  if (logs.empty()) return;
  std::sort(logs.begin(), logs.end());
  m.median_ratio = std::exp(median_of_sorted(logs, 0, logs.size()));
  if (logs.size() < 8) return;
  const std::size_t k_all = otsu_split(logs);
  if (k_all < 3) return;
  const double high_med = median_of_sorted(logs, k_all, logs.size());
  // A wedge-shaped edge (the foil thinning over several nm towards a hole) fills the gap between
  // vacuum and specimen with every ratio between: the low group then holds the noise floor and the
  // thin specimen, and is not tight. The floor is its lowest part: the low group is split again
  // until it is tight or too small (at most a few times: each split halves it or so).
  std::size_t k = k_all;
  for (int split = 0; split < 6 && k >= 16 && logs[k * 3 / 4] - logs[k / 4] >= 0.6; ++split) {
    const std::vector<double> low(logs.begin(), logs.begin() + std::ptrdiff_t(k));
    const std::size_t lower = otsu_split(low);
    if (lower < 8) break;
    k = lower;
  }
  const double low_med = median_of_sorted(logs, 0, k);
  const double low_iqr = logs[k * 3 / 4] - logs[k / 4];
  m.vacuum_ratio = std::exp(low_med);
  m.specimen_ratio = std::exp(high_med);
  // A noise floor is tight; specimen contrast is well above it. Otherwise there is no vacuum.
  if (!(high_med - low_med > std::log(2.5) && low_iqr < 0.6)) return;
  // And it is a noise floor: shot noise gives R near 1, a camera's MTF a few times that. A tight
  // group far above it is specimen of weaker contrast: an amorphous matrix (R 55) beside a crystal
  // (R 222) had been cut away as vacuum, and the crystal reported as 98 % of the "specimen".
  if (m.vacuum_ratio > kMaxVacuumRatio) {
    char why[300];
    std::snprintf(why, sizeof why,
                  "a region of weaker contrast (band-to-noise ratio %.3g against %.3g) was not taken for vacuum: "
                  "its ratio is far above shot noise's (about 1, at most %.3g behind a camera's MTF)",
                  m.vacuum_ratio, m.specimen_ratio, kMaxVacuumRatio);
    m.vacuum_refused = why;
    return;
  }
  m.vacuum_found = true;
  // Halfway on the log scale: specimen R scatters over a factor of several (thickness, dose),
  // so a linear midpoint would cut into thin specimen. Sub-boxes are finer than the boxes, so a box
  // half over vacuum still holds whole vacuum cells.
  m.vacuum_cut = std::sqrt(m.vacuum_ratio * m.specimen_ratio);
  // Vacuum is one side of an edge or a hole, never a scatter of single cells: connected vacuum
  // cells (4-neighbour) covering less than two boxes (8 cells) are noise on thin or weak specimen.
  std::vector<std::uint8_t> vac(std::size_t(count), 0);
  for (long i = 0; i < count; ++i)
    vac[std::size_t(i)] = ratio[std::size_t(i)] >= 0 && ratio[std::size_t(i)] < m.vacuum_cut;
  std::vector<int> comp, stack;
  std::vector<std::uint8_t> seen(vac.size(), 0);
  for (long start = 0; start < count; ++start) {
    if (!vac[std::size_t(start)] || seen[std::size_t(start)]) continue;
    comp.clear();
    stack.assign(1, int(start));
    seen[std::size_t(start)] = 1;
    while (!stack.empty()) {
      const int i = stack.back();
      stack.pop_back();
      comp.push_back(i);
      const int x = i % nx, y = i / nx;
      const int nb[4][2] = {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}};
      for (const auto& q : nb) {
        if (q[0] < 0 || q[1] < 0 || q[0] >= nx || q[1] >= ny) continue;
        const std::size_t j = std::size_t(q[1]) * std::size_t(nx) + std::size_t(q[0]);
        if (vac[j] && !seen[j]) {
          seen[j] = 1;
          stack.push_back(int(j));
        }
      }
    }
    if (comp.size() < 8)
      for (int i : comp) vac[std::size_t(i)] = 0;
  }
  // Kept per cell (pixels past the last sub-box take its decision: SpecimenMask::cell_x).
  m.vacuum_cells = std::move(vac);
  m.cell_px = s;
  m.cells_x = nx;
  m.cells_y = ny;
}

// The annotation search on a thread of its own while the vacuum's sub-boxes are measured, when a
// core is free for it; else one after the other. Over a memory-mapped image the annotation
// search's first pass is mostly the first touch of the file's pages (~30 ms of a 4096^2 image, on
// one core), and the transforms of the vacuum's sub-boxes need not wait for it. The results are
// the same either way: the ratios do not depend on the annotations, which decide_vacuum applies
// after both. The core comes from this thread's lender (a batch lends its idle cores), or from the
// `threads` allowed without one; the annotation search runs on one thread, and gives its core to
// the vacuum's loop when it ends. Errors are rethrown after both end, the annotation search's first.
template <class Annotations, class Vacuum>
VacuumRatios side_by_side(Annotations&& search_annotations, Vacuum&& measure_vacuum, int threads) {
  CoreLender own(resolve_threads(threads, 1L << 30) - 1);  // without a lender: the cores beyond this thread's
  CoreLender* const lender = core_lender() ? core_lender() : &own;
  auto in_turn = [&] {
    search_annotations(threads);
    return measure_vacuum();
  };
  if (!lender->borrow()) return in_turn();  // no core free
  std::exception_ptr annotation_error, vacuum_error;
  std::thread annotating;
  try {
    annotating = std::thread([&] {
      CoreLenderScope scope(lender);
      try {
        search_annotations(1);
      } catch (...) {
        annotation_error = std::current_exception();
      }
      lender->lend();
    });
  } catch (...) {  // no thread to be had
    lender->lend();
    return in_turn();
  }
  VacuumRatios ratios;
  {
    CoreLenderScope scope(lender);
    try {
      ratios = measure_vacuum();
    } catch (...) {
      vacuum_error = std::current_exception();
    }
  }
  annotating.join();
  if (annotation_error) std::rethrow_exception(annotation_error);
  if (vacuum_error) std::rethrow_exception(vacuum_error);
  return ratios;
}

}  // namespace

SpecimenMask find_specimen_mask(const StoredImage& image, double pixel_nm, int probe_px, const MaskOptions& o) {
  SpecimenMask m;
  m.width = image.width;
  m.height = image.height;
  m.probe_px = probe_px;
  if (o.user_mask) m.user = *o.user_mask;
  else if (o.roi_px) m.user = BitPlane(image.width, image.height);
  m.user_mask_given = o.user_mask != nullptr;
  m.roi_px = o.roi_px;
  if (o.roi_px) {
    const auto& r = *o.roi_px;
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x)
        if (x < r[0] || y < r[1] || x >= r[2] || y >= r[3]) m.user.set(x, y);
  }
  const bool annotations = o.find_annotations && image.width > 0 && image.height > 0;
  auto search_annotations = [&](int threads) {
    image.visit([&](const auto& pixels) { find_annotations(pixels, m, threads); });
  };
  auto measure_vacuum = [&] { return vacuum_ratios(image, pixel_nm, probe_px, o, m.user); };
  VacuumRatios ratios;
  if (annotations && o.find_vacuum) {
    ratios = side_by_side(search_annotations, measure_vacuum, o.threads);
  } else {
    if (annotations) search_annotations(o.threads);
    if (o.find_vacuum) ratios = measure_vacuum();
  }
  // Labels are a few shapes over a few percent of a micrograph. A clipped 8-bit export (10 % of its
  // pixels at each end) gave 1,000 shapes over 99 % of its boxes and "ordered 100 %" from the 2
  // boxes left; analysed as a whole, as --no-annotations does, it read right (8.0 % for 7.75 %).
  // Judged by the half-box cells they touch, as the boxes they would take out.
  long cells = 0, touched = 0;
  if (m.annotation_shapes > kManyAnnotationShapes && probe_px > 0)
    for (int y = 0; y + probe_px <= image.height; y += probe_px)
      for (int x = 0; x + probe_px <= image.width; x += probe_px, ++cells)
        touched += m.annotation.any(x, y, x + probe_px, y + probe_px);
  if (cells > 0 && double(touched) > kClippedExportShare * double(cells)) {
    char why[400];
    std::snprintf(why, sizeof why,
                  "%d shapes at the image's extreme values touching %.0f %% of it look like a contrast-stretched "
                  "(clipped) export, not burned-in labels: they were analysed as specimen, as with "
                  "--no-annotations (clipped pixels carry no contrast: boxes full of them may read amorphous); "
                  "export the micrograph unclipped if you can",
                  m.annotation_shapes, 100.0 * double(touched) / double(cells));
    m.annotations_refused = why;
    m.annotation = BitPlane();
    m.annotation_shapes = 0;
    m.annotation_notes.clear();
  }
  if (o.find_vacuum) decide_vacuum(std::move(ratios), m);
  m.vacuum_px = m.vacuum_in(0, 0, m.width, m.height);
  m.annotation_px = m.annotation.count();
  m.user_px = m.user.count();
  return m;
}

void SpecimenMask::release_pixels() {
  width = height = 0;
  annotation = BitPlane();
  user = BitPlane();
  vacuum_cells = {};
}

long SpecimenMask::vacuum_in(int x0, int y0, int x1, int y1) const {
  if (vacuum_cells.empty() || x1 <= x0 || y1 <= y0) return 0;
  long n = 0;
  for (int cy = cell_y(y0); cy <= cell_y(y1 - 1); ++cy) {
    const int ry0 = std::max(y0, cy * cell_px), ry1 = std::min(y1, cy + 1 == cells_y ? height : (cy + 1) * cell_px);
    for (int cx = cell_x(x0); cx <= cell_x(x1 - 1); ++cx) {
      if (!vacuum_cells[std::size_t(cy) * std::size_t(cells_x) + std::size_t(cx)]) continue;
      const int rx0 = std::max(x0, cx * cell_px), rx1 = std::min(x1, cx + 1 == cells_x ? width : (cx + 1) * cell_px);
      n += long(rx1 - rx0) * long(ry1 - ry0);
    }
  }
  return n;
}

void SpecimenMask::flagged_row(int x0, int y, int n, std::uint8_t* out) const {
  std::fill(out, out + n, std::uint8_t(0));
  if (!vacuum_cells.empty()) {
    const std::uint8_t* cells = vacuum_cells.data() + std::size_t(cell_y(y)) * std::size_t(cells_x);
    for (int x = x0; x < x0 + n;) {
      const int cx = cell_x(x);
      const int end = cx + 1 == cells_x ? x0 + n : std::min(x0 + n, (cx + 1) * cell_px);
      if (cells[cx]) std::fill(out + (x - x0), out + (end - x0), std::uint8_t(1));
      x = end;
    }
  }
  for (const BitPlane* plane : {&annotation, &user})
    if (!plane->empty())
      for (int i = 0; i < n; ++i) out[i] |= std::uint8_t(plane->get(x0 + i, y));
}

long SpecimenMask::flagged_in(int x0, int y0, int x1, int y1) const {
  if (x1 <= x0 || y1 <= y0) return 0;
  // Per row: the OR of the bit planes' words over [x0, x1), with the vacuum cells of the row's
  // cell row as bits (rebuilt when the cell row changes).
  const int w0 = x0 >> 6, w1 = (x1 - 1) >> 6;
  std::vector<std::uint64_t> vacuum_bits(static_cast<std::size_t>(w1 - w0 + 1), 0);
  int vacuum_row = -1;
  long n = 0;
  for (int y = y0; y < y1; ++y) {
    if (!vacuum_cells.empty() && cell_y(y) != vacuum_row) {
      vacuum_row = cell_y(y);
      std::fill(vacuum_bits.begin(), vacuum_bits.end(), 0);
      for (int x = x0; x < x1; ++x)
        if (vacuum_at(x, y)) vacuum_bits[std::size_t((x >> 6) - w0)] |= std::uint64_t(1) << (x & 63);
    }
    for (int w = w0; w <= w1; ++w) {
      std::uint64_t v = vacuum_bits[std::size_t(w - w0)];
      if (!annotation.empty()) v |= annotation.row(y)[w];
      if (!user.empty()) v |= user.row(y)[w];
      n += long(std::bitset<64>(v & BitPlane::span_mask(w, x0, x1)).count());
    }
  }
  return n;
}

BoxRegion region_of_box(const SpecimenMask& mask, int x0, int y0, int box_px, int edge_margin_px) {
  const int x1 = x0 + box_px, y1 = y0 + box_px;
  if (mask.user.any(x0, y0, x1, y1)) return BoxRegion::user_excluded;
  if (mask.annotation.any(x0, y0, x1, y1)) return BoxRegion::annotation;
  const long vacuum = mask.vacuum_in(x0, y0, x1, y1);
  if (2 * vacuum >= long(box_px) * box_px) return BoxRegion::vacuum;
  if (vacuum) return BoxRegion::edge;
  if (!mask.vacuum_found || edge_margin_px <= 0) return BoxRegion::specimen;
  const int ex0 = std::max(0, x0 - edge_margin_px), ey0 = std::max(0, y0 - edge_margin_px);
  const int ex1 = std::min(mask.width, x1 + edge_margin_px), ey1 = std::min(mask.height, y1 + edge_margin_px);
  if (mask.vacuum_in(ex0, ey0, ex1, ey1)) return BoxRegion::edge;
  return BoxRegion::specimen;
}

namespace {

// Along one axis, the sample positions v = first, first + step, ... below `end`, grouped by the
// vacuum cell (SpecimenMask::cell_x or cell_y) each falls in: per cell that holds any, its index,
// how many, and the sum of (v - centre).
struct CellSamples {
  int cell;
  long n;
  double sum;
};

std::vector<CellSamples> samples_per_cell(int first, int end, int step, double centre, int cell_px, int cells,
                                          int extent) {
  std::vector<CellSamples> out;
  if (end <= first) return out;
  const int last_cell = std::min(cells - 1, (end - 1) / cell_px);
  for (int c = std::min(cells - 1, first / cell_px); c <= last_cell; ++c) {
    const int lo = std::max(first, c * cell_px), hi = std::min(end, c + 1 == cells ? extent : (c + 1) * cell_px);
    const int v0 = first + (lo - first + step - 1) / step * step;  // the first sample at or after lo
    if (v0 >= hi) continue;
    const long n = (hi - 1 - v0) / step + 1;
    // Every term is a multiple of 0.5 far below 2^52: the sum is exact, as the sample-by-sample one was.
    out.push_back({c, n, double(n) * (v0 - centre) + double(step) * double(n * (n - 1) / 2)});
  }
  return out;
}

}  // namespace

std::optional<double> edge_normal_deg(const SpecimenMask& mask, int x0, int y0, int box_px, int reach_px) {
  int ex0 = std::max(0, x0 - reach_px), ey0 = std::max(0, y0 - reach_px);
  int ex1 = std::min(mask.width, x0 + box_px + reach_px), ey1 = std::min(mask.height, y0 + box_px + reach_px);
  // The user's mask counts inside the ROI only (outside it every pixel is flagged), and only where
  // it has pixels near the box (a word-wise test first: most boxes have none).
  int ux0 = ex0, uy0 = ey0, ux1 = ex1, uy1 = ey1;
  if (mask.roi_px) {
    const auto& r = *mask.roi_px;
    ux0 = std::max(ux0, r[0]), uy0 = std::max(uy0, r[1]), ux1 = std::min(ux1, r[2]), uy1 = std::min(uy1, r[3]);
  }
  const bool user =
      mask.user_mask_given && !mask.user.empty() && ux0 < ux1 && uy0 < uy1 && mask.user.any(ux0, uy0, ux1, uy1);
  if (!mask.vacuum_found && !user) return std::nullopt;
  const int step = std::max(1, box_px / 25);  // the centroid needs no more than every few pixels
  const double cx = x0 + 0.5 * (box_px - 1), cy = y0 + 0.5 * (box_px - 1);
  double sx = 0, sy = 0;
  long count = 0;
  if (user) {  // sample by sample: one that is both vacuum and the user's counts once
    for (int y = ey0; y < ey1; y += step)
      for (int x = ex0; x < ex1; x += step)
        if (mask.vacuum_at(x, y) || (x >= ux0 && x < ux1 && y >= uy0 && y < uy1 && mask.user.get(x, y))) {
          sx += x - cx;
          sy += y - cy;
          ++count;
        }
  } else if (!mask.vacuum_cells.empty()) {
    // Vacuum is decided per cell, so the samples are counted and summed per cell in closed form:
    // the same sums as sample by sample, over a few hundred cells instead of ~16,000 samples a box
    // (that loop was 17 % of a batch's CPU on micrographs with vacuum, where the area map asks for
    // the normal at every sliding box).
    const auto xs = samples_per_cell(ex0, ex1, step, cx, mask.cell_px, mask.cells_x, mask.width);
    const auto ys = samples_per_cell(ey0, ey1, step, cy, mask.cell_px, mask.cells_y, mask.height);
    for (const CellSamples& row : ys) {
      const std::uint8_t* cells = mask.vacuum_cells.data() + std::size_t(row.cell) * std::size_t(mask.cells_x);
      for (const CellSamples& col : xs)
        if (cells[col.cell]) {
          count += col.n * row.n;
          sx += col.sum * double(row.n);
          sy += row.sum * double(col.n);
        }
    }
  }
  if (!count || (sx == 0 && sy == 0)) return std::nullopt;
  double a = std::atan2(-sy, sx) * 180.0 / 3.14159265358979323846;  // image y points down
  if (a < 0) a += 180.0;
  if (a >= 180.0) a -= 180.0;
  return a;
}

}  // namespace mgscope

#include "imaging/detection_limit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <memory>

#include "fitting/base/parallel_for.hpp"
#include "imaging/image_fft.hpp"

namespace mgscope {

namespace {

constexpr double kTwoPi = 6.283185307179586476925;
constexpr int kMostBoxes = 48;
constexpr int kFewestBoxes = 16;  // below this the percentiles mean little: not measured
constexpr double kFlat = -1;      // a box of the field without contrast (no spectrum to draw it from)
constexpr double kMostNoise = 0.98;  // a noise share beyond which no specimen contrast is left to speak of
// The contrasts tried span 8 octaves (kDetectionContrastMax / kDetectionContrastMin = 256): 7 halvings
// leave 8/128 of an octave, a contrast known within 4.4 % (2.2 % either side of its middle), finer than
// the null model's own fit to glass (docs/hrtem.md).
constexpr int kBisections = 7;

// A uniform in [0, 1) from (seed, a, b): SplitMix64's finaliser over the three, so that a box's
// direction and phase do not depend on which thread measured it, or on the boxes before it.
double uniform_of(std::uint64_t seed, std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = seed ^ (a * 0x9E3779B97F4A7C15ull) ^ (b * 0xC2B2AE3D27D4EB4Full);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return double(z >> 11) * 0x1.0p-53;
}

// The value at share `p` of the sorted values (the smallest with at least p of them at or below it).
double percentile_of_sorted(const std::vector<double>& sorted, double p) {
  const std::size_t k = std::size_t(std::ceil(p * double(sorted.size())));
  return sorted[std::min(sorted.size() - 1, k == 0 ? 0 : k - 1)];
}

}  // namespace

std::vector<double> detection_spacings_nm(double d_min_nm, double d_max_nm) {
  const double ratio = d_max_nm / d_min_nm;
  return {d_min_nm * std::pow(ratio, 1.0 / 6.0), d_min_nm * std::pow(ratio, 0.5),
          d_min_nm * std::pow(ratio, 5.0 / 6.0)};
}

DetectionLimit measure_detection_limit(const ImageF& null_field, const SpectrumGeometry& geometry, double pixel_nm,
                                       WindowKind window, AcfMode acf, const DetectionLevels& levels,
                                       const ClassRules& rules, const std::vector<double>& spacings_nm,
                                       double noise_share, std::uint64_t seed, int threads) {
  DetectionLimit limit;
  if (!(noise_share >= 0 && noise_share < kMostNoise)) {
    limit.not_measured = std::isfinite(noise_share)
                             ? "the image's contrast is white noise (" + std::to_string(int(100 * noise_share)) +
                                   " % of its variance): no amorphous specimen contrast to compare fringes with"
                             : "the share of white noise in the image's contrast is not known";
    return limit;
  }
  limit.noise_share = noise_share;
  // A box's specimen contrast: its sd less the noise's part of its variance.
  const double specimen_part = std::sqrt(1.0 - noise_share);
  const int n = geometry.box_px();
  const int side = std::min(null_field.width, null_field.height);
  int step = n;
  if (side >= n && ((side - n) / n + 1) * ((side - n) / n + 1) < kMostBoxes) step = std::max(1, n / 2);
  const int per_side = side >= n ? (side - n) / step + 1 : 0;
  const int boxes = std::min(kMostBoxes, per_side * per_side);
  if (boxes < kFewestBoxes) {
    limit.not_measured =
        "the null field holds " + std::to_string(boxes) + " boxes, fewer than " + std::to_string(kFewestBoxes);
    return limit;
  }
  limit.boxes = boxes;
  limit.spacing_nm = spacings_nm;
  // The least contrast at which each (spacing, box) is called ordered, spacing by spacing.
  std::vector<double> least(std::size_t(boxes) * spacings_nm.size(), std::numeric_limits<double>::infinity());
  const int nthreads = resolve_threads(threads, boxes);
  std::vector<std::unique_ptr<BoxTransformer>> transformers;
  std::vector<std::unique_ptr<BoxMeasurer>> measurers;
  // --anisotropy-min classifies by the direction sums, which a measurer makes only when asked.
  const bool anisotropy = rules.crystal_like_min_anisotropy.has_value();
  for (int t = 0; t < nthreads; ++t) {
    transformers.push_back(spots_only_transformer(geometry, window, acf));
    measurers.push_back(std::make_unique<BoxMeasurer>(geometry, anisotropy, levels.inverse_modulation));
  }
  struct Buffers {
    std::vector<float> glass, fringes, box;  // n x n each
    std::vector<float> along;                // the fringes' factors along x and y
  };
  std::vector<Buffers> buffers(static_cast<std::size_t>(nthreads));
  // A box at a time, its spacings one after the other: its glass copied and measured once.
  parallel_for(boxes, nthreads, [&](long box_index, int th) {
    const int b = int(box_index);
    const int x0 = (b % per_side) * step, y0 = (b / per_side) * step;
    std::vector<float>& g = buffers[std::size_t(th)].glass;
    std::vector<float>& f = buffers[std::size_t(th)].fringes;
    std::vector<float>& box = buffers[std::size_t(th)].box;
    g.resize(std::size_t(n) * std::size_t(n));
    f.resize(g.size());
    box.resize(g.size());
    double mean = 0;
    for (int y = 0; y < n; ++y)
      for (int x = 0; x < n; ++x) {
        const float v = null_field.pixels[std::size_t(y0 + y) * std::size_t(null_field.width) + std::size_t(x0 + x)];
        g[std::size_t(y) * std::size_t(n) + std::size_t(x)] = v;
        mean += v;
      }
    mean /= double(g.size());
    double var = 0;
    for (float v : g) var += (double(v) - mean) * (double(v) - mean);
    const double glass_sd = specimen_part * std::sqrt(var / double(g.size()));
    if (!(glass_sd > 0)) {
      for (std::size_t s = 0; s < spacings_nm.size(); ++s) least[s * std::size_t(boxes) + std::size_t(b)] = kFlat;
      return;
    }
    // Unit-sd fringes (amplitude sqrt 2) of each spacing, in a direction and phase of this box's own.
    const double direction = kTwoPi * uniform_of(seed, std::uint64_t(b), 0);
    const double phase = kTwoPi * uniform_of(seed, std::uint64_t(b), 1);
    BoxTransformer& tr = *transformers[std::size_t(th)];
    BoxMeasurer& m = *measurers[std::size_t(th)];
    const auto ordered_at = [&](double contrast) {
      const float a = float(contrast * glass_sd);
      for (std::size_t k = 0; k < box.size(); ++k) box[k] = g[k] + a * f[k];
      if (!tr.transform(box.data(), n)) return false;
      return classify_box(m.measure(tr, levels.strict, levels.secondary), rules) != BoxClass::amorphous;
    };
    for (std::size_t s = 0; s < spacings_nm.size(); ++s) {
      const double kx = kTwoPi * std::cos(direction) * pixel_nm / spacings_nm[s];
      const double ky = kTwoPi * std::sin(direction) * pixel_nm / spacings_nm[s];
      // cos(kx x + ky y + phase) as cos cos - sin sin of its two parts: 4n sines and cosines, not n^2
      // (which had been a third of this function's time).
      std::vector<float>& along = buffers[std::size_t(th)].along;  // cos x, sin x, cos y, sin y
      along.resize(4 * std::size_t(n));
      float *cos_x = along.data(), *sin_x = cos_x + n, *cos_y = sin_x + n, *sin_y = cos_y + n;
      for (int k = 0; k < n; ++k) {
        cos_x[k] = float(std::cos(kx * k));
        sin_x[k] = float(std::sin(kx * k));
        cos_y[k] = float(std::sqrt(2.0) * std::cos(ky * k + phase));
        sin_y[k] = float(std::sqrt(2.0) * std::sin(ky * k + phase));
      }
      for (int y = 0; y < n; ++y) {
        float* row = f.data() + std::size_t(y) * std::size_t(n);
        for (int x = 0; x < n; ++x) row[x] = cos_y[y] * cos_x[x] - sin_y[y] * sin_x[x];
      }
      // Bisection in log contrast: `lo` not ordered (or the bottom of the range), `hi` ordered (or the top,
      // tried last: a box never found ordered below it is tried there once).
      const double top = std::log(kDetectionContrastMax);
      double lo = std::log(kDetectionContrastMin), hi = top;
      for (int k = 0; k < kBisections; ++k) {
        const double mid = 0.5 * (lo + hi);
        (ordered_at(std::exp(mid)) ? hi : lo) = mid;
      }
      if (hi == top && !ordered_at(kDetectionContrastMax)) continue;  // beyond the contrasts tried
      // The middle of the last interval; ordered at every contrast tried: the smallest, an upper bound.
      least[s * std::size_t(boxes) + std::size_t(b)] =
          lo == std::log(kDetectionContrastMin) ? kDetectionContrastMin : std::exp(0.5 * (lo + hi));
    }
  });
  if (std::count(least.begin(), least.end(), kFlat) > long(least.size()) - kFewestBoxes) {
    limit = DetectionLimit{};
    limit.not_measured = "the noise model's field holds no contrast (no amorphous spectrum was measured)";
    return limit;
  }
  for (std::size_t s = 0; s < spacings_nm.size(); ++s) {
    std::vector<double> v;  // the boxes with contrast (a stationary field's are all of them)
    std::copy_if(least.begin() + long(s) * boxes, least.begin() + long(s + 1) * boxes, std::back_inserter(v),
                 [](double c) { return c != kFlat; });
    std::sort(v.begin(), v.end());
    limit.contrast_50.push_back(percentile_of_sorted(v, 0.5));
    limit.contrast_90.push_back(percentile_of_sorted(v, 0.9));
  }
  return limit;
}

int detection_field_side(int box_px, int side) {
  int n = 7 * box_px;
  while (n < side && smooth_fft_length(n) != n) ++n;
  return std::min(n, side);
}

MiddleLimit middle_limit(const DetectionLimit& limit) {
  MiddleLimit m;
  if (!limit.not_measured.empty() || limit.spacing_nm.empty() || limit.contrast_90.size() != limit.spacing_nm.size())
    return m;
  const std::size_t middle = middle_spacing_index(limit.spacing_nm.size());
  m.spacing_nm = limit.spacing_nm[middle];
  m.contrast_90 = limit.contrast_90[middle];
  return m;
}

std::string detection_limit_sentence(const DetectionLimit& limit) {
  if (!limit.not_measured.empty()) return "not measured: " + limit.not_measured;
  auto contrasts = [&](const std::vector<double>& c) {
    std::string text;
    char part[64];
    for (std::size_t k = 0; k < c.size(); ++k) {
      if (std::isfinite(c[k]))
        std::snprintf(part, sizeof part, c[k] <= kDetectionContrastMin ? "%sunder %.2f" : "%s%.2f", k ? ", " : "",
                      c[k]);
      else
        std::snprintf(part, sizeof part, "%sover %.2f", k ? ", " : "", kDetectionContrastMax);
      text += part;
    }
    return text;
  };
  std::string spacings;
  char part[32];
  for (std::size_t k = 0; k < limit.spacing_nm.size(); ++k) {
    std::snprintf(part, sizeof part, "%s%.3f", k ? ", " : "", limit.spacing_nm[k]);
    spacings += part;
  }
  return "fringes of " + spacings + " nm are found in 90 % of whole boxes from a contrast of " +
         contrasts(limit.contrast_90) + " (half of them from " + contrasts(limit.contrast_50) +
         "; fringe sd over the glass's speckle sd in a box, the noise taken out)";
}

}  // namespace mgscope

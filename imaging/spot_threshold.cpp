// Null calibration by phase randomisation of image crops (at most 1024 x 1024 px each, so the
// memory stays small on 4k images); several crops and seeds until enough null boxes are measured.
#include "imaging/spot_threshold.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <sstream>

#include "fitting/error.hpp"
#include "fitting/statistics.hpp"
#include "imaging/image_fft.hpp"
#include "imaging/parallel_for.hpp"
#include "imaging/window.hpp"

namespace mgscope {

const char* threshold_mode_name(ThresholdMode m) {
  switch (m) {
    case ThresholdMode::null_model: return "null";
    case ThresholdMode::formula: return "formula";
    case ThresholdMode::fixed: return "fixed";
  }
  return "?";
}

namespace {

// A Gaussian random field with the crop's radial power spectrum: what the image would look like
// with the same contrast transfer and no local order. The spectrum is the radial *median* of
// |F|^2 (over rings one frequency pixel wide) divided by ln 2, so Bragg peaks of crystals in the
// crop neither leak into the null as plane waves (as a plain phase randomisation would keep them)
// nor inflate its ring.
ImageF null_field(const ImageF& crop, std::mt19937_64& rng) {
  // The crop is apodised first: a crop is not periodic, and the jumps at its edges would leak
  // power across the spectrum (measured: nulls from bare 1024 px crops of a 2048 px image set the
  // threshold ~8 % low and the false-alarm rate rose from 1 % to 1.5 %). The overall scale of the
  // null does not matter, since every box is normalised to unit variance.
  ImageF tapered = crop;
  {
    double mean = 0;
    for (float v : crop.pixels) mean += v;
    mean /= double(crop.pixels.size());
    const std::vector<float> wx = make_window_2d(WindowKind::hann, crop.width);
    const std::vector<float> wy = make_window_2d(WindowKind::hann, crop.height);
    // make_window_2d is separable: its first row is w(x) * w(0) = 0, so take the middle row.
    const float* rowx = wx.data() + std::size_t(crop.width / 2) * std::size_t(crop.width);
    const float* rowy = wy.data() + std::size_t(crop.height / 2) * std::size_t(crop.height);
    const float nx = rowx[crop.width / 2], ny = rowy[crop.height / 2];
    for (int y = 0; y < crop.height; ++y)
      for (int x = 0; x < crop.width; ++x)
        tapered.at(x, y) = float((crop.at(x, y) - mean) * (rowx[x] / nx) * (rowy[y] / ny));
  }
  const HalfSpectrum f = fft_forward(tapered);
  const int cols = f.columns();
  const double sx = 1.0 / crop.width, sy = 1.0 / crop.height;  // frequency in cycles per pixel
  auto ring = [&](int row, int col) {
    return int(std::lround(std::hypot(col * sx, f.ky(row) * sy) * std::max(crop.width, crop.height)));
  };
  const int rings = ring(crop.height / 2, cols - 1) + 1;
  std::vector<std::vector<float>> power(std::size_t(rings) + 1);
  for (int row = 0; row < f.height; ++row)
    for (int col = 0; col < cols; ++col)
      power[std::size_t(ring(row, col))].push_back(std::norm(f.data[std::size_t(row) * std::size_t(cols) + std::size_t(col)]));
  std::vector<float> amplitude(power.size(), 0.f);
  for (std::size_t k = 1; k < power.size(); ++k)
    if (!power[k].empty()) {
      std::vector<double> v(power[k].begin(), power[k].end());
      amplitude[k] = float(std::sqrt(median(v) / 0.69314718055994530942));
    }
  ImageF noise(crop.width, crop.height);
  std::normal_distribution<float> gauss(0.f, 1.f);
  for (float& v : noise.pixels) v = gauss(rng);
  HalfSpectrum g = fft_forward(noise);
  // White noise has E|G|^2 = N per coefficient; scale so E|G'|^2 equals the crop's spectrum.
  const float norm = 1.f / std::sqrt(float(crop.width) * float(crop.height));
  for (int row = 0; row < g.height; ++row)
    for (int col = 0; col < cols; ++col)
      g.data[std::size_t(row) * std::size_t(cols) + std::size_t(col)] *= amplitude[std::size_t(ring(row, col))] * norm;
  return fft_inverse(g);
}

}  // namespace

SpotThreshold choose_spot_threshold(const ImageF& image, const BoxGrid& grid, const SpectrumGeometry& geometry,
                                    WindowKind window, AcfMode acf, const ThresholdOptions& options,
                                    int threads) {
  if (!(options.alpha > 0 && options.alpha < 1)) throw InputError("--alpha must lie between 0 and 1");
  if (!(options.alpha_secondary >= options.alpha && options.alpha_secondary < 1))
    throw InputError("--alpha-secondary must lie between --alpha and 1");
  SpotThreshold t;
  t.mode = options.mode;
  t.formula_value = std::log(double(geometry.search_pixels()) / options.alpha);
  std::ostringstream d;
  if (options.mode == ThresholdMode::fixed) {
    if (!options.fixed || !(*options.fixed > 0)) throw InputError("a fixed spot threshold must be positive");
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
  if (options.null_boxes < 20) throw InputError("--null-boxes must be at least 20");

  const int n = grid.box_px;
  const int cw = std::min(image.width, 1024), ch = std::min(image.height, 1024);
  const int per_crop = (cw / n) * (ch / n);
  const int crops_x = std::max(1, image.width / cw), crops_y = std::max(1, image.height / ch);
  const int max_copies = 64;
  std::vector<double> maxima;
  std::mt19937_64 rng(options.seed);
  std::vector<std::unique_ptr<BoxTransformer>> transformers;
  std::vector<std::unique_ptr<BoxMeasurer>> measurers;
  const int nthreads = resolve_threads(threads, per_crop);
  for (int k = 0; k < nthreads; ++k) {
    transformers.push_back(std::make_unique<BoxTransformer>(n, window, acf));
    measurers.push_back(std::make_unique<BoxMeasurer>(geometry));
  }
  for (int copy = 0; copy < max_copies && int(maxima.size()) < options.null_boxes; ++copy) {
    const int tile = copy % (crops_x * crops_y);
    const int ox = (tile % crops_x) * cw, oy = (tile / crops_x) * ch;
    ImageF crop(cw, ch);
    for (int y = 0; y < ch; ++y) std::copy_n(image.row(oy + y) + ox, cw, crop.row(y));
    const ImageF null_image = null_field(crop, rng);
    std::vector<double> found(std::size_t(per_crop), -1.0);
    const int bx = cw / n;
    parallel_for(per_crop, nthreads, [&](long i, int th) {
      const int x0 = int(i % bx) * n, y0 = int(i / bx) * n;
      if (transformers[std::size_t(th)]->transform(null_image, x0, y0))
        found[std::size_t(i)] = measurers[std::size_t(th)]->measure(*transformers[std::size_t(th)], 1e30, 1e30).max_whitened;
    });
    for (double v : found)
      if (v >= 0) maxima.push_back(v);
  }
  if (maxima.size() < 20) throw InputError("too few boxes to calibrate the spot threshold on a null; use --threshold-mode formula");
  std::sort(maxima.begin(), maxima.end());
  // Peaks over threshold: the excesses of the top 10 % of null maxima over their lower edge u are
  // close to exponential, so the 1 - alpha quantile is u + mean_excess * ln(0.1 / alpha). This
  // uses a hundred or more values where the plain order statistic at 0.99 rests on about ten,
  // and so varies far less from one null draw to the next.
  const double tail = 0.1;
  const std::size_t first = std::size_t(std::floor((1.0 - tail) * double(maxima.size())));
  const double u = maxima[first];
  double excess = 0;
  for (std::size_t i = first; i < maxima.size(); ++i) excess += maxima[i] - u;
  excess /= double(maxima.size() - first);
  auto quantile = [&](double alpha) {
    return alpha < tail ? u + excess * std::log(tail / alpha)
                        : maxima[std::size_t((1.0 - alpha) * double(maxima.size() - 1))];
  };
  t.value = quantile(options.alpha);
  t.secondary_value = std::min(t.value, quantile(options.alpha_secondary));
  t.null_boxes_used = int(maxima.size());
  t.null_median_max = median(maxima);
  d << "quantile " << (1.0 - options.alpha) << " (exponential tail fit to the top 10 %) of the strongest "
    << "whitened peak over " << maxima.size()
    << " boxes of random fields with the image's radial power spectrum (no local order; seed "
    << options.seed << ")";
  t.description = d.str();
  return t;
}

}  // namespace mgscope

// Per-box cost of the HRTEM kernel against the bare FFTW transforms it cannot avoid
// (issue target: within 2x of one r2c + one c2r of the box size).
#include <benchmark/benchmark.h>
#include <fftw3.h>

#include <complex>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "imaging/area_map.hpp"
#include "imaging/box_features.hpp"
#include "imaging/box_grid.hpp"
#include "imaging/box_transform.hpp"
#include "imaging/calibrate.hpp"
#include "imaging/chirp_dft.hpp"
#include "imaging/halo_check.hpp"
#include "imaging/hrtem_analysis.hpp"
#include "imaging/null_draws.hpp"
#include "imaging/spot_threshold.hpp"
#include "imaging/stored_image.hpp"
#include "imaging/synth_hrtem.hpp"

namespace {

using namespace mgscope;

const ImageF& test_image() {
  static const ImageF img = [] {
    SynthHrtemOptions o;
    o.width_px = o.height_px = 1024;
    o.ordered_fraction = 0.1;
    const SynthHrtem s = make_synth_hrtem(o);
    ImageF f(o.width_px, o.height_px);
    for (std::size_t i = 0; i < f.pixels.size(); ++i) f.pixels[i] = s.counts.pixels[i];
    return f;
  }();
  return img;
}

// One r2c and one c2r of an n x n box, planned once, executed with the new-array interface.
void BM_BareFftwR2cC2r(benchmark::State& state) {
  const int n = int(state.range(0));
  float* r = fftwf_alloc_real(std::size_t(n) * std::size_t(n));
  fftwf_complex* c = fftwf_alloc_complex(std::size_t(n) * std::size_t(n / 2 + 1));
  fftwf_plan fwd = fftwf_plan_dft_r2c_2d(n, n, r, c, FFTW_ESTIMATE);
  fftwf_plan inv = fftwf_plan_dft_c2r_2d(n, n, c, r, FFTW_ESTIMATE);
  for (int i = 0; i < n * n; ++i) r[i] = float(i % 17);
  for (auto _ : state) {
    fftwf_execute_dft_r2c(fwd, r, c);
    fftwf_execute_dft_c2r(inv, c, r);
    benchmark::DoNotOptimize(r[0]);
  }
  state.SetItemsProcessed(state.iterations());
  fftwf_destroy_plan(fwd);
  fftwf_destroy_plan(inv);
  fftwf_free(r);
  fftwf_free(c);
}
// 97 and 94 (2 x 47) px: sizes FFTW transforms with O(p) work per point (a 1.985 nm box at 0.0205
// and 0.0211 nm/px); BoxTransformer takes them by chirp-z (BM_ChirpR2cC2r, BM_BoxKernel/97).
BENCHMARK(BM_BareFftwR2cC2r)->Arg(100)->Arg(64)->Arg(97)->Arg(94);

// The same pair by ChirpDft (Bluestein), as BoxTransformer computes it for such sizes.
void BM_ChirpR2cC2r(benchmark::State& state) {
  const int n = int(state.range(0));
  std::vector<float> r(std::size_t(n) * std::size_t(n));
  std::vector<std::complex<float>> c(std::size_t(n) * std::size_t(n / 2 + 1));
  for (int i = 0; i < n * n; ++i) r[std::size_t(i)] = float(i % 17);
  ChirpDft dft(n);
  for (auto _ : state) {
    dft.r2c_2d(r.data(), c.data(), n / 2 + 1);
    dft.c2r_2d(c.data(), r.data(), n);
    benchmark::DoNotOptimize(r[0]);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChirpR2cC2r)->Arg(97)->Arg(94);

// Boxes of the test image one after another: the transform (with or without the ACF) and, when
// `measure`, the measurement (whitening, spots, ACF peak).
void run_boxes(benchmark::State& state, int n, bool with_acf, bool measure) {
  const ImageF& img = test_image();
  const SpectrumGeometry geom(n, n, 1.985 / n, SpotOptions{});
  // Without the ACF, the transformer of the area map and the null calibration.
  const std::unique_ptr<BoxTransformer> owned =
      with_acf ? std::make_unique<BoxTransformer>(n, WindowKind::hann, AcfMode::circular)
               : spots_only_transformer(geom, WindowKind::hann, AcfMode::circular);
  BoxTransformer& tr = *owned;
  if (with_acf) tr.acf_half_plane_only();  // as the box grid's transformers
  BoxMeasurer meas(geom);
  const int per_row = img.width / n;
  long k = 0;
  for (auto _ : state) {
    const int bx = int(k % per_row), by = int((k / per_row) % per_row);
    tr.transform(img, bx * n, by * n);
    if (measure) benchmark::DoNotOptimize(meas.measure(tr, 20.0, 13.0));
    ++k;
  }
  state.SetItemsProcessed(state.iterations());
}

// The whole per-box work of the box grid: normalise, window, r2c, power, c2r (ACF), whiten,
// spots, ACF peak.
void BM_BoxKernel(benchmark::State& state) { run_boxes(state, int(state.range(0)), true, true); }
BENCHMARK(BM_BoxKernel)->Arg(100)->Arg(64)->Arg(97);

// The floor of a fine (area-map) box: one r2c of the box.
void BM_BareFftwR2c(benchmark::State& state) {
  const int n = int(state.range(0));
  float* r = fftwf_alloc_real(std::size_t(n) * std::size_t(n));
  fftwf_complex* c = fftwf_alloc_complex(std::size_t(n) * std::size_t(n / 2 + 1));
  fftwf_plan fwd = fftwf_plan_dft_r2c_2d(n, n, r, c, FFTW_ESTIMATE);
  for (int i = 0; i < n * n; ++i) r[i] = float(i % 17);
  for (auto _ : state) {
    fftwf_execute_dft_r2c(fwd, r, c);
    benchmark::DoNotOptimize(c[0][0]);
  }
  state.SetItemsProcessed(state.iterations());
  fftwf_destroy_plan(fwd);
  fftwf_free(r);
  fftwf_free(c);
}
BENCHMARK(BM_BareFftwR2c)->Arg(100);

// A fine box of the area map: transform without ACF (banded), then (second argument 1) the measurement.
void BM_FineBoxKernel(benchmark::State& state) { run_boxes(state, int(state.range(0)), false, state.range(1) != 0); }
BENCHMARK(BM_FineBoxKernel)->Args({100, 0})->Args({100, 1});

// The area map's sliding boxes on a 16-bit image: each column of boxes top to bottom at a stride
// of a quarter box, transformed box by box (0) or sharing the rows' transforms (1), and measured.
void BM_SlidingBoxes(benchmark::State& state) {
  static const StoredImage image = [] {
    const ImageF& f = test_image();
    Image<std::uint16_t> u(f.width, f.height);
    for (std::size_t i = 0; i < f.pixels.size(); ++i) u.pixels[i] = std::uint16_t(f.pixels[i]);
    return StoredImage::from_raw(to_raw(u), "bench");
  }();
  const int n = 100, stride = 25;
  const SpectrumGeometry geom(n, n, 1.985 / n, SpotOptions{});
  const std::unique_ptr<BoxTransformer> tr = spots_only_transformer(geom, WindowKind::hann, AcfMode::circular);
  BoxMeasurer meas(geom);
  const int per_side = (image.width - n) / stride + 1;
  long k = 0;
  for (auto _ : state) {
    const int x = int(k / per_side % per_side) * stride, y = int(k % per_side) * stride;
    if (state.range(0)) tr->transform_sharing_rows(image, x, y);
    else tr->transform(image, x, y);
    benchmark::DoNotOptimize(meas.measure(*tr, 20.0, 13.0));
    ++k;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SlidingBoxes)->Arg(0)->Arg(1);

// Synthetic glass of 2048^2 px (10 % ordered) at 0.0199 nm/px, as float or as 16-bit counts, and
// the spot geometry of its 100 px boxes.
const StoredImage& glass_2048(bool counts_u16) {
  static const SynthHrtem s = [] {
    SynthHrtemOptions o;
    o.width_px = o.height_px = 2048;
    o.ordered_fraction = 0.1;
    return make_synth_hrtem(o);
  }();
  auto make = [&](bool u16) {
    if (u16) return StoredImage::from_raw(to_raw(s.counts), "bench");
    ImageF f(s.counts.width, s.counts.height);
    for (std::size_t i = 0; i < f.pixels.size(); ++i) f.pixels[i] = s.counts.pixels[i];
    return StoredImage(std::move(f));
  };
  static const StoredImage as_float = make(false), as_u16 = make(true);
  return counts_u16 ? as_u16 : as_float;
}

struct GlassGeometry {
  double pixel_nm = 0.0199;
  BoxGrid grid = make_box_grid(2048, 2048, pixel_nm, 1.985, 1.985, "bench");
  SpectrumGeometry spectrum{grid.box_px, grid.box_px, pixel_nm, [] {
                              SpotOptions spots;
                              spots.sidelobe_floor = sidelobe_floor_for(WindowKind::hann);
                              return spots;
                            }()};
};

// The null calibration of the spot threshold of one 2048^2 image on one thread (ring spectra of
// four 1024 px crops, six random fields, 2,166 null boxes); second argument 1: with the random
// draws kept from an earlier image, as in a batch.
void BM_NullCalibration(benchmark::State& state) {
  const StoredImage& image = glass_2048(false);
  const GlassGeometry g;
  NullDrawCache cache;
  ThresholdOptions options;
  if (state.range(0) != 0) options.draw_cache = &cache;
  for (auto _ : state) {
    const SpotThreshold t =
        choose_spot_threshold(image, g.grid, g.spectrum, WindowKind::hann, AcfMode::circular, options, 1);
    benchmark::DoNotOptimize(t.value);
  }
}
BENCHMARK(BM_NullCalibration)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// A batch's check of a later 2048^2 16-bit image against the batch's one calibration: the ring
// spectra of two of its 1024 px crops, compared with the reused ones.
void BM_NullSpectrumCheck(benchmark::State& state) {
  const StoredImage& image = glass_2048(true);
  const GlassGeometry g;
  ThresholdOptions options;
  const SpotThreshold calibrated =
      choose_spot_threshold(image, g.grid, g.spectrum, WindowKind::hann, AcfMode::circular, options, 1);
  options.reuse = &calibrated;
  options.reuse_tolerance = 0.2;
  for (auto _ : state) {
    const SpotThreshold t =
        choose_spot_threshold(image, g.grid, g.spectrum, WindowKind::hann, AcfMode::circular, options, 1);
    if (t.reuse_refused) state.SkipWithError("the image refused its own calibration");
    benchmark::DoNotOptimize(t.spectrum_mismatch);
  }
}
BENCHMARK(BM_NullSpectrumCheck)->Unit(benchmark::kMillisecond);

// The halo check of a 2048^2 image (imaging/halo_check.hpp) on the radial spectrum its null
// calibration already measured: what it adds to an image's analysis.
void BM_HaloCheck(benchmark::State& state) {
  const StoredImage& image = glass_2048(true);
  const GlassGeometry g;
  const SpotThreshold t =
      choose_spot_threshold(image, g.grid, g.spectrum, WindowKind::hann, AcfMode::circular, ThresholdOptions{}, 1);
  for (auto _ : state) {
    const HaloCheck h = check_halo(t.null_spectrum, t.null_spectrum_side, g.pixel_nm, HaloOptions{});
    if (h.status != HaloStatus::in_range) state.SkipWithError("the glass's halo was not found in range");
    benchmark::DoNotOptimize(h.d_nm);
  }
}
BENCHMARK(BM_HaloCheck)->Unit(benchmark::kMicrosecond);

// The area map of a 2048^2 16-bit image on one thread (6,000 sliding boxes at a quarter box, the
// votes, the bootstrap and the maps), after its box grid was analysed once.
void BM_AreaMap2048(benchmark::State& state) {
  static const std::pair<CalibratedImage, HrtemResult> analysed = [] {
    CalibratedImage c;
    c.pixels = glass_2048(true);
    c.calibration.calibrated = true;
    c.calibration.pixel_x_nm = c.calibration.pixel_y_nm = GlassGeometry{}.pixel_nm;
    HrtemOptions options;
    options.threads = 1;
    HrtemResult r = analyse_hrtem(c, options, "bench");
    return std::make_pair(std::move(c), std::move(r));
  }();
  HrtemOptions options;
  options.threads = 1;
  AreaMapOptions area;
  area.threads = 1;
  for (auto _ : state) {
    const AreaMap map = compute_area_map(analysed.first.pixels, analysed.second, options, area, "bench");
    benchmark::DoNotOptimize(map.ordered_area_fraction);
  }
}
BENCHMARK(BM_AreaMap2048)->Unit(benchmark::kMillisecond);

}  // namespace

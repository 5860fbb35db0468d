// Orchestration only: every step lives in its own file.
#include "imaging/hrtem_analysis.hpp"

#include <memory>
#include <sstream>

#include "fitting/base/error.hpp"
#include "fitting/base/parallel_for.hpp"

namespace mgscope {

std::string HrtemOptions::check() const {
  if (!(box_nm > 0)) return "HrtemOptions.box_nm must be > 0";
  if (stride_nm && !(*stride_nm > 0)) return "HrtemOptions.stride_nm must be > 0";
  if (!(spots.d_min_nm > 0 && spots.d_min_nm < spots.d_max_nm))
    return "HrtemOptions.spots: need 0 < d_min_nm < d_max_nm for the spot annulus";
  if (threads < 0) return "HrtemOptions.threads must be >= 0";
  return "";
}

HrtemResult analyse_hrtem(const CalibratedImage& calibrated, const HrtemOptions& options, const std::string& what) {
  require_valid(options);
  const ImageF& image = calibrated.pixels;
  const double pixel_nm = calibrated.pixel_nm();
  HrtemResult r;
  r.status = FitStatus::Success;
  r.message = "analysed";
  r.grid = make_box_grid(image.width, image.height, pixel_nm, options.box_nm,
                         options.stride_nm.value_or(options.box_nm), what);
  const BoxGrid& g = r.grid;
  r.warnings = g.warnings;
  if (options.spots.d_min_nm < 2 * pixel_nm) {
    std::ostringstream m;
    m << "d_min " << options.spots.d_min_nm << " nm is below the Nyquist limit 2 x " << pixel_nm
      << " nm: spacings under " << 2 * pixel_nm << " nm cannot be measured";
    r.warnings.push_back(m.str());
  }
  const int acf_size = options.acf == AcfMode::linear ? 2 * g.box_px : g.box_px;
  SpotOptions spots = options.spots;
  spots.sidelobe_floor = sidelobe_floor_for(options.window);
  const SpectrumGeometry geometry(g.box_px, acf_size, pixel_nm, spots);
  if (geometry.search_pixels() < 8)
    fail_input(what, "the spot annulus holds fewer than 8 Fourier pixels: box too small for d_min..d_max");
  r.threshold = choose_spot_threshold(image, g, geometry, options.window, options.acf, options.threshold,
                                      options.threads);

  const long count = g.count();
  r.boxes.resize(std::size_t(count));
  const int nthreads = resolve_threads(options.threads, count);
  std::vector<std::unique_ptr<BoxTransformer>> transformers;
  std::vector<std::unique_ptr<BoxMeasurer>> measurers;
  for (int t = 0; t < nthreads; ++t) {
    transformers.push_back(std::make_unique<BoxTransformer>(g.box_px, options.window, options.acf));
    measurers.push_back(std::make_unique<BoxMeasurer>(geometry));
  }
  parallel_for(count, nthreads, [&](long i, int t) {
    BoxResult& b = r.boxes[std::size_t(i)];
    b.ix = int(i % g.nx);
    b.iy = int(i / g.nx);
    b.x_px = g.x0(b.ix);
    b.y_px = g.y0(b.iy);
    transformers[std::size_t(t)]->transform(image, b.x_px, b.y_px);
    b.features = measurers[std::size_t(t)]->measure(*transformers[std::size_t(t)], r.threshold.value,
                                                     r.threshold.secondary_value);
    b.cls = classify_box(b.features, options.rules);
  });

  std::vector<BoxClass> classes;
  classes.reserve(r.boxes.size());
  for (const BoxResult& b : r.boxes) {
    classes.push_back(b.cls);
    r.flat_boxes += b.features.flat;
  }
  if (r.flat_boxes) r.warnings.push_back(std::to_string(r.flat_boxes) + " boxes are flat (zero variance) and count as amorphous");
  r.fractions = class_fractions(g, classes);
  r.nanocrystals = nanocrystal_groups(g, classes);
  return r;
}

}  // namespace mgscope

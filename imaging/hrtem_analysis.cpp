// Orchestration only: every step lives in its own file.
#include "imaging/hrtem_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>

#include "fitting/base/error.hpp"
#include "fitting/base/parallel_for.hpp"
#include "fitting/base/statistics.hpp"
#include "fitting/base/text_file.hpp"
#include "imaging/grid_spectrum.hpp"

namespace mgscope {

namespace {

// Benjamini-Hochberg over the specimen boxes: with p-values sorted, the largest k with
// p_(k) <= k q / m; boxes with p <= p_(k) keep their spots, the others lose them.
void apply_fdr(HrtemResult& r, double q, double same_direction_deg) {
  std::vector<double> p;
  for (const BoxResult& b : r.boxes)
    if (b.region == BoxRegion::specimen && !b.features.flat) p.push_back(b.p_value);
  std::sort(p.begin(), p.end());
  double cut = -1;
  for (std::size_t k = p.size(); k >= 1; --k)
    if (p[k - 1] <= double(k) * q / double(p.size())) {
      cut = p[k - 1];
      break;
    }
  double level = 1e300;
  for (BoxResult& b : r.boxes) {
    if (b.p_value <= cut) {
      level = std::min(level, b.features.max_whitened);
      continue;
    }
    b.features.spots.clear();
    finish_spots(b.features, 0, same_direction_deg);
  }
  if (cut >= 0) r.fdr_level = level;
}

void add_region_warnings(HrtemResult& r) {
  const auto& c = r.region_counts;
  const long total = long(r.boxes.size());
  const long left_out = total - c[std::size_t(BoxRegion::specimen)];
  std::ostringstream m;
  if (r.mask.annotation_shapes) {
    m << "burned-in annotation (scale bar, text or a saturated area) left out: " << r.mask.annotation_shapes
      << " shape(s), " << c[std::size_t(BoxRegion::annotation)] << " boxes touching them (";
    for (std::size_t i = 0; i < r.mask.annotation_notes.size(); ++i) m << (i ? "; " : "") << r.mask.annotation_notes[i];
    m << ")";
    // A scale bar and its text are a few shapes; hundreds at the extreme values are the grains of
    // a contrast-stretched export whose clipping cut them flat (an amorphous image clipped 10 % at
    // each end lost all its boxes, the message naming only scale bars and text).
    if (r.mask.annotation_shapes > kManyAnnotationShapes)
      m << "; so many shapes look like a contrast-stretched (clipped) export rather than burned-in labels: if "
           "so, give --no-annotations";
    r.warnings.push_back(m.str());
    m.str("");
  }
  if (!r.mask.vacuum_not_checked.empty())
    r.warnings.push_back("vacuum was not looked for (" + r.mask.vacuum_not_checked +
                         "): every box without annotation counts as specimen");
  if (!r.mask.vacuum_refused.empty()) r.warnings.push_back(r.mask.vacuum_refused);
  if (!r.mask.annotations_refused.empty()) r.warnings.push_back(r.mask.annotations_refused);
  // Near the noise level a vacuum's R and the specimen's are alike (a 5-count image with 36 % vacuum
  // found none), and weak fringes stay under the spot level (9 % order read as 2 %), without a word.
  if (r.mask.near_noise_level()) {
    m << "the image's contrast is near its noise level (median band-to-noise ratio "
      << number_text(r.mask.median_ratio, 3) << " over its sub-boxes, under " << kLowContrastRatio
      << "; a low dose?): vacuum cannot be told from "
      << "specimen, and weak lattice fringes stay under the spot level, so the ordered fractions may be too low";
    r.warnings.push_back(m.str());
    m.str("");
  }
  if (r.mask.vacuum_found) {
    m << "vacuum found (specimen-band to noise power ratio " << r.mask.vacuum_ratio << " against "
      << r.mask.specimen_ratio << " on the specimen): " << c[std::size_t(BoxRegion::vacuum)]
      << " vacuum boxes and " << c[std::size_t(BoxRegion::edge)] << " specimen-edge boxes left out";
    r.warnings.push_back(m.str());
    m.str("");
  }
  if (10 * left_out > total) {
    m << left_out << " of " << total << " boxes (" << (100 * left_out + total / 2) / total
      << " %) are left out of the fractions (vacuum " << c[std::size_t(BoxRegion::vacuum)] << ", annotation "
      << c[std::size_t(BoxRegion::annotation)] << ", edge " << c[std::size_t(BoxRegion::edge)] << ", excluded "
      << c[std::size_t(BoxRegion::user_excluded)] << "): the fractions describe the specimen boxes only";
    r.warnings.push_back(m.str());
  }
}

// Transforms and measures every box of r.grid at r.threshold (the regions given), feeding the sampled
// boxes' spectra to `sample` on the way.
void measure_boxes(const StoredImage& image, const SpectrumGeometry& geometry, const std::vector<BoxRegion>& regions,
                   const HrtemOptions& options, GridSpectrumSample* sample, HrtemResult& r) {
  const BoxGrid& g = r.grid;
  // In FDR mode spots down to the level of p = q stay until the Benjamini-Hochberg cut is known.
  double strict = r.threshold.value, secondary = r.threshold.secondary_value;
  if (options.fdr_q) secondary = strict = std::min(secondary, level_for_p_value(r.threshold, *options.fdr_q));
  const long count = g.count();
  const int nthreads = resolve_threads(options.threads, count);
  std::vector<std::unique_ptr<BoxTransformer>> transformers;
  std::vector<std::unique_ptr<BoxMeasurer>> measurers;
  for (int t = 0; t < nthreads; ++t) {
    transformers.push_back(std::make_unique<BoxTransformer>(g.box_px, options.window, options.acf));
    transformers.back()->acf_half_plane_only();  // the lags the measurement reads
    measurers.push_back(std::make_unique<BoxMeasurer>(geometry, true, &r.threshold.inverse_modulation));
  }
  parallel_for(count, nthreads, [&](long i, int t) {
    BoxResult& b = r.boxes[std::size_t(i)];
    b.ix = int(i % g.nx);
    b.iy = int(i / g.nx);
    b.x_px = g.x0(b.ix);
    b.y_px = g.y0(b.iy);
    b.region = regions[std::size_t(i)];
    // Specimen within one box of vacuum: spots along the edge normal are its Fresnel fringes.
    const std::optional<double> normal = b.region == BoxRegion::specimen
                                             ? edge_normal_deg(r.mask, b.x_px, b.y_px, g.box_px, 2 * g.box_px)
                                             : std::nullopt;
    BoxTransformer& tr = *transformers[std::size_t(t)];
    const bool flat = !tr.transform(image, b.x_px, b.y_px);
    if (sample && !flat && sample->slot(i) >= 0) sample->add(sample->slot(i), tr.power());
    b.features = measurers[std::size_t(t)]->measure(tr, strict, secondary, normal);
    b.p_value = b.features.flat ? 1.0 : box_p_value(r.threshold, b.features.max_whitened);
  });
}

// r.threshold, and unless only it is asked for, every box measured at it. A calibration offered for
// reuse with a check, and made on another image's grid (it carries that grid's ring power), is taken
// at once and checked on this image's boxes as they are measured (grid_spectrum.hpp); should the
// check fail, the image is calibrated on its own null and measured again. One saved by an older
// mgscope is checked on null crops before (choose_spot_threshold).
void threshold_and_boxes(const StoredImage& image, const SpectrumGeometry& geometry,
                         const std::vector<BoxRegion>& regions, const HrtemOptions& options, HrtemResult& r) {
  const BoxGrid& g = r.grid;
  const ThresholdOptions& to = options.threshold;
  const bool check_on_grid = to.reuse && to.reuse_tolerance > 0 && !options.threshold_only &&
                             to.mode == ThresholdMode::null_model && to.reuse->mode == ThresholdMode::null_model &&
                             !to.reuse->box_ring_power.empty();
  r.threshold = check_on_grid ? reused_threshold(*to.reuse, geometry)
                              : choose_spot_threshold(image, g, geometry, options.window, options.acf, to,
                                                      options.threads, &r.mask);
  // This image's own null calibration carries its grid's ring power, for the images that may reuse it.
  const bool calibrated_here = !r.threshold.reused && r.threshold.mode == ThresholdMode::null_model;
  if (options.threshold_only) {
    if (calibrated_here)
      r.threshold.box_ring_power =
          sample_grid_ring_power(image, g, regions, geometry, options.window, options.acf, options.threads);
    return;
  }
  r.boxes.resize(std::size_t(g.count()));
  std::optional<GridSpectrumSample> sample;
  if (check_on_grid || calibrated_here) sample.emplace(geometry, regions, check_on_grid && to.follow_anisotropy);
  measure_boxes(image, geometry, regions, options, sample ? &*sample : nullptr, r);
  if (sample) {
    std::vector<double> rings = sample->ring_power();
    if (check_on_grid) {
      const double mismatch = sample->added() >= kGridCheckMinBoxes ? box_ring_mismatch(rings, to.reuse->box_ring_power)
                                                                    : std::numeric_limits<double>::infinity();
      double direction = std::numeric_limits<double>::quiet_NaN();
      if (mismatch <= to.reuse_tolerance && to.follow_anisotropy)
        direction = whitening_change(sample->directions(options.threads), to.reuse->anisotropy, geometry);
      if (reuse_passes(mismatch, direction, to.reuse_tolerance)) {
        note_reuse_check(r.threshold, mismatch, direction, to.reuse_tolerance);
      } else {
        ThresholdOptions alone = to;
        alone.reuse = nullptr;
        r.threshold =
            choose_spot_threshold(image, g, geometry, options.window, options.acf, alone, options.threads, &r.mask);
        note_refused_reuse(r.threshold, mismatch, direction, to.reuse_tolerance);
        r.threshold.box_ring_power = std::move(rings);
        measure_boxes(image, geometry, regions, options, nullptr, r);
      }
    } else {
      r.threshold.box_ring_power = std::move(rings);
    }
  }
}

// The fringe contrast the boxes of `t`'s calibration need to be called ordered, on a null field of
// the radial spectrum `spectrum` (rings of a `side` px crop).
DetectionLimit detection_limit_of(const SpotThreshold& t, const HrtemOptions& options, const SpectrumGeometry& geometry,
                                  double pixel_nm, const std::vector<double>& spectrum, int side) {
  DetectionLimit limit;
  if (options.fdr_q) {
    limit.not_measured = "under --fdr the level a box needs depends on the image's other boxes";
    return limit;
  }
  const bool follows = !t.inverse_modulation.empty();
  const DetectionLevels levels{t.value, t.secondary_value, follows ? &t.inverse_modulation : nullptr};
  // Its own stream of phases, apart from the calibration's fields.
  const std::uint64_t seed = options.threshold.seed ^ 0x6A09E667F3BCC909ull;
  return measure_detection_limit(draw_null_field(spectrum, side, follows ? &t.anisotropy : nullptr, seed,
                                                 detection_field_side(geometry.box_px(), side)),
                                 geometry, pixel_nm, options.window, options.acf, levels, options.rules,
                                 detection_spacings_nm(options.spots.d_min_nm, options.spots.d_max_nm),
                                 white_noise_share(spectrum, side, geometry.box_px()), seed, options.threads);
}

}  // namespace

std::string HrtemOptions::check() const {
  if (!(box_nm > 0)) return "--box (HrtemOptions.box_nm) must be above 0 nm";
  if (stride_nm && !(*stride_nm > 0)) return "--stride (HrtemOptions.stride_nm) must be above 0 nm";
  if (!(spots.d_min_nm > 0 && spots.d_min_nm < spots.d_max_nm))
    return "--d-min must be below --d-max (HrtemOptions.spots: 0 < d_min_nm < d_max_nm, the spot annulus)";
  if (threads < 0) return "--threads (HrtemOptions.threads) must be 0 (all cores) or more";
  // The ACF's secondary peak is searched between this lag and half a box: at or beyond half a box
  // no lag is searched, and the ACF could never see order (it was accepted without a word).
  if (!(spots.acf_min_lag_nm >= 0 && spots.acf_min_lag_nm < 0.5 * box_nm))
    return "--acf-min-lag (HrtemOptions.spots.acf_min_lag_nm) must lie below half the box (" +
           std::to_string(0.5 * box_nm).substr(0, 5) + " nm): the ACF peak is searched between the two";
  // Out of these ranges a rule no longer separates the classes (0 directions makes every box a
  // nanocrystal; an anisotropy level of 1 or less, every box crystal-like), so it is refused.
  if (rules.nanocrystal_min_directions < 2 || rules.nanocrystal_min_directions > 8)
    return "--nanocrystal-directions (HrtemOptions.rules.nanocrystal_min_directions) must lie between 2 and 8";
  if (rules.nanocrystal_min_pairs < 2 || rules.nanocrystal_min_pairs > 16)
    return "--nanocrystal-pairs (HrtemOptions.rules.nanocrystal_min_pairs) must lie between 2 and 16";
  if (!(spots.same_direction_deg > 0 && spots.same_direction_deg <= 90))
    return "--same-direction (HrtemOptions.spots.same_direction_deg) must lie in (0, 90] degrees";
  if (rules.crystal_like_min_anisotropy &&
      !(*rules.crystal_like_min_anisotropy > 1 && std::isfinite(*rules.crystal_like_min_anisotropy)))
    return "--anisotropy-min (HrtemOptions.rules.crystal_like_min_anisotropy) must be above 1: the anisotropy "
           "max/mean is at least 1 in every box";
  if (fdr_q && !(*fdr_q > 0 && *fdr_q < 1)) return "--fdr (HrtemOptions.fdr_q) must lie between 0 and 1";
  if (const std::string bad = halo.check_values(); !bad.empty()) return bad;
  // The threshold's settings are the batch's: checked here, before any image, not image by image.
  return threshold.check();
}

HrtemResult analyse_hrtem(const CalibratedImage& calibrated, const HrtemOptions& options, const std::string& what) {
  require_valid(options);
  const StoredImage& image = calibrated.pixels;  // integer images stay integers: boxes are converted one by one
  const double pixel_nm = calibrated.pixel_nm();
  // Every box of a blank image would be flat and count as amorphous specimen: a silent 0 %
  // ordered (a dip to zero in a series).
  if (const std::optional<float> v = constant_value(image)) {
    std::ostringstream m;
    m << "every pixel is " << *v
      << ": a blank image (beam blanked, shutter closed or a frame the camera dropped), no specimen to analyse";
    fail_input(what, m.str());
  }
  HrtemResult r;
  r.status = FitStatus::Success;
  r.message = "analysed";
  r.grid = make_box_grid(image.width, image.height, pixel_nm, options.box_nm,
                         options.stride_nm.value_or(options.box_nm), what);
  const BoxGrid& g = r.grid;
  r.warnings = g.warnings;
  if (options.spots.d_max_nm > 0.5 * g.box_nm_effective) {
    std::ostringstream m;
    m << "--d-max " << options.spots.d_max_nm << " nm exceeds half the box (" << 0.5 * g.box_nm_effective
      << " nm): a spacing needs at least two fringes in a box";
    fail_input(what, m.str());
  }
  if (options.spots.d_min_nm < 2 * pixel_nm) {
    std::ostringstream m;
    m << "d_min " << options.spots.d_min_nm << " nm is below the Nyquist limit 2 x " << pixel_nm
      << " nm: spacings under " << 2 * pixel_nm << " nm cannot be measured, and the ordered fractions are lower "
      << "bounds (order with finer fringes is not seen)";
    r.warnings.push_back(m.str());
  }
  const int acf_size = options.acf == AcfMode::linear ? 2 * g.box_px : g.box_px;
  SpotOptions spots = options.spots;
  spots.sidelobe_floor = sidelobe_floor_for(options.window);
  const SpectrumGeometry geometry(g.box_px, acf_size, pixel_nm, spots);
  if (geometry.search_pixels() < 8) {
    std::ostringstream m;
    m << "the spot annulus holds " << geometry.search_pixels() << " Fourier pixel(s), fewer than the 8 a spot "
      << "search needs: a box of " << g.box_px << " px (" << g.box_nm_effective << " nm at " << pixel_nm
      << " nm/px) resolves too few spatial frequencies for spacings of " << spots.d_min_nm << "-" << spots.d_max_nm
      << " nm; lattice fringes need pixels of a few hundredths of a nm (check the pixel size)";
    fail_input(what, m.str());
  }
  MaskOptions mo = options.mask;
  mo.d_min_nm = options.spots.d_min_nm;
  mo.d_max_nm = options.spots.d_max_nm;
  mo.threads = options.threads;
  if (mo.user_mask && (mo.user_mask->width() != image.width || mo.user_mask->height() != image.height))
    fail_input(what, "the --mask image is " + std::to_string(mo.user_mask->width()) + " x " +
                         std::to_string(mo.user_mask->height()) + " px; it must match the image, " +
                         std::to_string(image.width) + " x " + std::to_string(image.height) + " px");
  r.mask = find_specimen_mask(image, pixel_nm, 2 * (g.box_px / 4), mo);

  const long count = g.count();
  const int edge_margin_px = g.box_px / 4;
  std::vector<BoxRegion> regions(static_cast<std::size_t>(count));
  parallel_for(count, resolve_threads(options.threads, count), [&](long i, int) {
    regions[std::size_t(i)] = region_of_box(r.mask, g.x0(int(i % g.nx)), g.y0(int(i / g.nx)), g.box_px, edge_margin_px);
  });

  threshold_and_boxes(image, geometry, regions, options, r);
  r.calibration_reused = r.threshold.reused;
  if (const std::string w = anisotropy_warning(r.threshold.anisotropy); !w.empty()) r.warnings.push_back(w);
  if (!r.threshold.doubt.empty()) r.warnings.push_back(r.threshold.doubt);
  // Every mode's calibration carries the specimen's radial spectrum (choose_spot_threshold; a reused
  // one, its image's): the halo check and the detection limit read it.
  const std::vector<double>& spectrum = r.threshold.null_spectrum;
  const int side = r.threshold.null_spectrum_side;
  r.halo = options.halo.check ? check_halo(spectrum, side, pixel_nm, options.halo)
                              : check_halo({}, 0, pixel_nm, options.halo);  // says "off"
  if (options.detection_limit && !r.threshold.detection_limit)
    r.threshold.detection_limit = detection_limit_of(r.threshold, options, geometry, pixel_nm, spectrum, side);
  if (options.threshold_only) return r;

  if (options.fdr_q) apply_fdr(r, *options.fdr_q, options.spots.same_direction_deg);
  std::vector<BoxClass> classes;
  std::vector<std::uint8_t> counted;
  classes.reserve(r.boxes.size());
  for (BoxResult& b : r.boxes) {
    const bool specimen = b.region == BoxRegion::specimen;
    b.cls = specimen ? classify_box(b.features, options.rules) : BoxClass::amorphous;
    classes.push_back(b.cls);
    counted.push_back(specimen);
    r.region_counts[std::size_t(b.region)]++;
    r.flat_boxes += specimen && b.features.flat;
  }
  if (r.flat_boxes)
    r.warnings.push_back(std::to_string(r.flat_boxes) +
                         " specimen boxes are flat (zero variance) and count as amorphous");
  add_region_warnings(r);
  r.fractions = class_fractions(g, classes, counted);
  set_aside(r.halo, r.fractions.boxes, r.fractions.ordered_fraction);
  if (!r.halo.warning.empty()) r.warnings.push_back(r.halo.warning);
  if (r.fractions.boxes == 0)
    r.warnings.push_back("no specimen box: the class fractions are undefined (n/a), not zero");
  const bool calibrated_to_alpha =
      (options.threshold.mode == ThresholdMode::null_model || options.threshold.mode == ThresholdMode::reference) &&
      !options.fdr_q && !options.rules.crystal_like_min_anisotropy;
  if (calibrated_to_alpha) {
    std::string w = false_alarm_warning(r.fractions.ordered_boxes, r.fractions.boxes, options.threshold.alpha);
    if (!w.empty()) r.warnings.push_back(std::move(w));
  }
  r.nanocrystals = nanocrystal_groups(g, classes, counted);
  for (std::string& w : nanocrystal_size_warnings(r.nanocrystals)) r.warnings.push_back(std::move(w));
  return r;
}

std::vector<std::string> nanocrystal_size_warnings(const std::vector<NanocrystalGroup>& groups) {
  const long cut =
      std::count_if(groups.begin(), groups.end(), [](const NanocrystalGroup& n) { return n.touches_border; });
  if (cut == 0) return {};
  return {std::to_string(cut) + " of " + std::to_string(groups.size()) +
          " nanocrystal groups reach the image border or a left-out place: their sizes are lower bounds "
          "(lower_bound in summary.json)"};
}

std::string false_alarm_warning(long ordered, long boxes, double alpha, const std::string& conclusion) {
  if (ordered <= 0 || boxes <= 0) return "";
  const long chance = binomial_quantile(boxes, alpha, 0.95);
  if (ordered > chance) return "";
  std::ostringstream m;
  m << ordered << " of " << boxes << " specimen boxes read ordered (" << std::setprecision(2)
    << 100.0 * double(ordered) / double(boxes) << " %), " << kFalseAlarmWords << " (the noise model lets up to "
    << std::setprecision(3) << 100.0 * alpha << " % of boxes without order read ordered: up to " << chance << " of "
    << boxes << " by chance, 95 %): " << conclusion;
  return m.str();
}

std::vector<std::string> pooled_false_alarm_doubts(std::vector<std::string> doubts, long ordered, long boxes,
                                                   double alpha, int images) {
  const auto is_floor = [](const std::string& w) { return w.find(kFalseAlarmWords) != std::string::npos; };
  const auto first = std::find_if(doubts.begin(), doubts.end(), is_floor);
  if (first == doubts.end()) return doubts;
  const std::ptrdiff_t at = first - doubts.begin();
  doubts.erase(std::remove_if(doubts.begin(), doubts.end(), is_floor), doubts.end());
  const std::string pooled = false_alarm_warning(ordered, boxes, alpha,
                                                 "these " + std::to_string(images) +
                                                     " images together show no order above their detection "
                                                     "floor");
  if (!pooled.empty())
    doubts.insert(doubts.begin() + std::min<std::ptrdiff_t>(at, std::ptrdiff_t(doubts.size())), pooled);
  return doubts;
}

}  // namespace mgscope

#include "pipelines/hrtem_image_run.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>

#include "fitting/base/error.hpp"
#include "fitting/base/length_units.hpp"
#include "imaging/grid_spectrum.hpp"
#include "imaging/io/read_image.hpp"
#include "imaging/io/tiff_reader.hpp"

namespace mgscope {

namespace {

// --mask: an image of the analysed image's size; nonzero pixels are left out. Kept as bits; an
// 8/16-bit mask file is read without a float copy.
BitPlane read_user_mask(const std::string& path) {
  LoadedImage img = read_image(path, ReadOptions{});
  const StoredImage f = StoredImage::from_raw(std::move(img.raw), path);
  BitPlane m(f.width, f.height);
  f.visit([&](const auto& p) {
    for (int y = 0; y < f.height; ++y)
      for (int x = 0; x < f.width; ++x)
        if (p.at(x, y) != 0.f) m.set(x, y);
  });
  return m;
}

// --roi x0,y0,x1,y1 in pixels of an image of `pixel_nm`, measured from its top-left pixel; x1, y1
// exclusive. Its syntax was checked by parse_roi_values before any image.
std::array<int, 4> parse_roi(const std::string& text, double pixel_nm, int width, int height,
                             std::vector<std::string>& warnings) {
  std::array<int, 4> v{};
  const std::array<RoiValue, 4> values = parse_roi_values(text);
  for (std::size_t k = 0; k < 4; ++k) {
    const double px = values[k].pixels ? values[k].value : values[k].value / pixel_nm;
    v[k] = int(std::lround(std::min(px, 2e9)));  // beyond any image: cut below, as a large one is
  }
  // One --roi serves a batch of images of several sizes, so a box beyond an image is cut to it;
  // the analysed area is then smaller than asked, which the image's warnings say.
  if (v[2] > width || v[3] > height)
    warnings.push_back("--roi '" + text + "' reaches beyond the " + std::to_string(width) + " x " +
                       std::to_string(height) + " px image: cut to x " + std::to_string(v[0]) + "-" +
                       std::to_string(std::min(v[2], width)) + ", y " + std::to_string(v[1]) + "-" +
                       std::to_string(std::min(v[3], height)) + " px");
  v[2] = std::min(v[2], width);
  v[3] = std::min(v[3], height);
  if (v[0] >= v[2] || v[1] >= v[3])
    throw InputError("--roi '" + text + "' holds no pixel of the " + std::to_string(width) + " x " +
                     std::to_string(height) + " px image (need x0 < x1, y0 < y1)");
  return v;
}

// --reference: a known-amorphous image at the analysed pixel size (within 1 %).
// The --reference image as floats, its spikes repaired as the analysed image's are (a spike lowers its
// box's whitened maximum: 300 hot pixels on a 2048^2 glass took the reference's level from 18.5 to
// 15.9); `spikes` says what was repaired.
ImageF read_reference(const std::string& path, double pixel_nm, const std::optional<double>& override_nm,
                      const ReadOptions& ro, const SpikeOptions* repair, SpikeRepair& spikes) {
  LoadedImage img = read_image(path, ro);
  const Calibration& cal = img.info.calibration;
  const double ref_nm = override_nm ? *override_nm : cal.pixel_x_nm;
  if (!override_nm && !cal.calibrated)
    fail_input(path, "the --reference image has no pixel-size calibration (or give --pixel-size for both)");
  if (std::fabs(ref_nm / pixel_nm - 1) > 0.01 ||
      (!override_nm && std::fabs(cal.pixel_y_nm / cal.pixel_x_nm - 1) > 0.001)) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "the --reference image has %.6g nm pixels; it must match the analysed image's %.6g nm "
                  "(within 1 %%, square)",
                  ref_nm, pixel_nm);
    fail_input(path, buf);
  }
  ImageF reference = to_float(img.raw, path, narrowing_exponent(img.raw));
  fit_float_range(reference);  // its own scale: its boxes' whitened maxima are ratios
  if (!repair) return reference;
  StoredImage stored(std::move(reference));
  spikes = repair_spikes(stored, *repair);
  return *stored.floats();
}

}  // namespace

OverlayOptions HrtemImageRun::overlay_options(int max_side_px, int threads) const {
  OverlayOptions oo;
  oo.max_side_px = max_side_px;
  oo.area = area ? &*area : nullptr;
  oo.threads = threads;
  oo.warnings = hrtem_warnings(result, run, oo.area).size();
  return oo;
}

HrtemImageFractions HrtemImageRun::fractions() const {
  HrtemImageFractions row{run, result.fractions, area.has_value(), 0, {}, {}, {}};
  if (area) {
    row.ordered_area_fraction = area->ordered_area_fraction;
    row.ordered_area_fraction_95 = area->ordered_area_fraction_95;
    row.blocks = area->blocks;
  }
  row.warnings = hrtem_warnings(result, run, area ? &*area : nullptr);
  return row;
}

std::string bootstrap_resamples_problem(int resamples) {
  if (resamples >= 100 && resamples <= 1000000) return "";
  return "--bootstrap-resamples must lie between 100 and 1000000 (given " + std::to_string(resamples) + ")";
}

SharedThreshold share_threshold(const HrtemImageRun& run, std::string source, const std::string& origin,
                                std::string reuse_name) {
  SharedThreshold shared{run.result.threshold, std::move(source), run.run.pixel_nm(), run.result.grid.box_px,
                         std::move(reuse_name)};
  SpotThreshold& t = shared.threshold;
  t.spectrum_mismatch = std::numeric_limits<double>::quiet_NaN();
  t.direction_change = std::numeric_limits<double>::quiet_NaN();
  t.reuse_refused = t.reused = false;  // the calibration itself; an image taking it marks its copy
  t.description = "reused: " + origin + ": " + t.description;
  return shared;
}

HrtemImageRun analyse_hrtem_image(StoredImage pixels, ImageInfo info, const CalibrateOptions& calibrate_options,
                                  const HrtemOptions& options, const HrtemAreaSettings& area,
                                  const HrtemUserInputs& user) {
  const std::string path = info.path;
  if (const std::string bad = bootstrap_resamples_problem(area.bootstrap_resamples); !bad.empty())
    fail_input(path, bad);
  HrtemImageRun r;
  // Before the calibration stage: a spike resampled to square pixels would spread over its neighbours.
  SpikeOptions spike_options;
  spike_options.threads = options.threads;
  const SpikeRepair spikes = options.repair_spikes ? repair_spikes(pixels, spike_options) : SpikeRepair{};
  r.image = calibrate(std::move(pixels), info, calibrate_options);
  r.run = HrtemRunInfo(std::move(info), r.image);
  r.run.spikes = spikes;
  if (spikes.pixels > 0)
    r.run.notes.push_back(std::to_string(spikes.pixels) + " outlier pixel(s) in " + std::to_string(spikes.clusters) +
                          " cluster(s) of at most " + std::to_string(spike_options.max_cluster_px) +
                          " px (hot pixels or X-ray hits, up to " +
                          std::to_string(int(std::lround(spikes.largest_excess_sd))) +
                          " sds from their surroundings; first: " + spikes.notes.front() +
                          ") were replaced by the median around them before the analysis (--keep-spikes keeps them)");
  HrtemOptions image_options = options;
  const BitPlane user_mask = user.mask_path.empty() ? BitPlane() : read_user_mask(user.mask_path);
  if (!user.mask_path.empty()) image_options.mask.user_mask = &user_mask;
  r.run.mask_file = user.mask_path;
  if (!user.roi.empty())
    image_options.mask.roi_px =
        parse_roi(user.roi, r.run.pixel_nm(), r.image.pixels.width, r.image.pixels.height, r.run.warnings);
  ImageF reference;
  if (!user.reference_path.empty()) {
    SpikeRepair reference_spikes;
    reference = read_reference(user.reference_path, r.run.pixel_nm(), calibrate_options.pixel_nm, ReadOptions{},
                               options.repair_spikes ? &spike_options : nullptr, reference_spikes);
    image_options.threshold.reference = &reference;
    if (reference_spikes.pixels > 0)
      r.run.notes.push_back("the --reference image's " + std::to_string(reference_spikes.pixels) +
                            " outlier pixel(s) in " + std::to_string(reference_spikes.clusters) +
                            " cluster(s) were replaced by the median around them, as the image's are "
                            "(--keep-spikes keeps them)");
  }
  // A batch's shared calibration: why an image was calibrated on its own null after all. Its own
  // calibration is what the image gets alone, so this is a note, not a warning.
  std::string why_own;
  if (const SharedThreshold* shared = user.shared_threshold) {
    const int box_px = int(std::lround(options.box_nm / r.run.pixel_nm()));
    if (same_pixel_size(shared->pixel_nm, r.run.pixel_nm()) && shared->box_px == box_px) {
      image_options.threshold.reuse = &shared->threshold;
      // The image it was calibrated on takes it unchecked (its two crops against its own four
      // would only measure the image against itself), and so do a series' frames.
      image_options.threshold.reuse_tolerance =
          !shared->check_spectrum || path == shared->source ? 0 : kThresholdOnceSpectrumTolerance;
    } else {
      why_own = "pixel size or box differs from those of " + shared->source;
    }
  }
  r.result = analyse_hrtem(r.image, image_options, path);
  if (r.result.threshold.reuse_refused) {
    const std::string& source = user.shared_threshold->source;
    const double mismatch = r.result.threshold.spectrum_mismatch;
    const double direction = r.result.threshold.direction_change;
    if (direction > kAnisotropyReuseTolerance) {
      char numbers[64];
      std::snprintf(numbers, sizeof numbers, " by %.2f (tolerance %.2f, rms in log power)", direction,
                    kAnisotropyReuseTolerance);
      why_own =
          "amorphous spectrum's direction dependence (blur, ellipticity) differs from that of " + source + numbers;
    } else if (std::isfinite(mismatch)) {
      char numbers[64];
      std::snprintf(numbers, sizeof numbers, " by %.2f (tolerance %.2f, in log power)", mismatch,
                    kThresholdOnceSpectrumTolerance);
      why_own = "radial spectrum differs from that of " + source + numbers;
    } else {
      why_own = "spectrum cannot be compared with that of " + source + " (fewer than " +
                std::to_string(kGridCheckMinBoxes) +
                " specimen boxes to compare, or, for a calibration saved by an older mgscope, null crops of another "
                "size)";
    }
  }
  if (!why_own.empty()) {
    const std::string not_once = "not " + user.shared_threshold->reuse_name + ", since its " + why_own;
    r.run.notes.push_back("the spot threshold was calibrated on this image itself, " + not_once + "; docs/hrtem.md");
    if (!r.result.threshold.reuse_refused)  // a refused reuse says why in the description already
      r.result.threshold.description += "; calibrated on this image, " + not_once;
  }
  r.threshold_shared = image_options.threshold.reuse != nullptr && !r.result.threshold.reuse_refused;
  // The image a batch calibrated on reuses its own calibration: its halo was measured on its own spectrum,
  // its detection limit on its own model. (A series' later points share the file's path, and take the first
  // point's calibration unchecked.)
  if (r.threshold_shared && path == user.shared_threshold->source && user.shared_threshold->check_spectrum)
    r.result.calibration_reused = false;
  r.options = image_options;
  r.options.mask.user_mask = nullptr;  // the images they point to end here
  r.options.threshold.reference = nullptr;
  r.options.threshold.reuse = nullptr;
  r.options.threshold.draw_cache = nullptr;
  if (!area.enabled) {
    r.result.mask.release_pixels();  // the per-pixel planes are no longer needed
    return r;
  }
  AreaMapOptions ao;
  if (area.stride_nm) {
    // Rounded to whole pixels as compute_area_map takes it, and checked here to name the option
    // (the clamp keeps 1e9 nm from overflowing the conversion).
    const long stride_px = std::lround(std::min(*area.stride_nm / r.run.pixel_nm(), 1e9));
    if (stride_px > r.result.grid.box_px)
      fail_input(path, "--area-stride must not exceed the box (" + std::to_string(r.result.grid.box_px) +
                           " px): the sliding grid would leave gaps");
    if (stride_px < 1) fail_input(path, "--area-stride is below one pixel");
    ao.stride_px = int(stride_px);
  }
  ao.bootstrap_resamples = area.bootstrap_resamples;
  ao.ordered_vote_share = area.vote_share;
  ao.seed = area.seed;
  ao.threads = area.threads;
  r.area = compute_area_map(r.image.pixels, r.result, image_options, ao, path);
  r.result.mask.release_pixels();
  return r;
}

std::string frame_of_stack_note(const ImageInfo& file) {
  if (file.frames <= 1) return "";
  const int images = ome_images(file);
  const auto image = file.metadata.find("ome.image");
  if (images > 1 && image != file.metadata.end())
    return "the file holds " + std::to_string(file.frames) + " frames in " + std::to_string(images) +
           " OME Images; frame " + std::to_string(file.frame) + ", of OME Image " + image->second + ", was analysed";
  return "the file holds " + std::to_string(file.frames) + " frames; frame " + std::to_string(file.frame) +
         " was analysed";
}

std::array<RoiValue, 4> parse_roi_values(const std::string& text) {
  std::array<RoiValue, 4> v{};
  std::size_t start = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    const std::size_t comma = text.find(',', start);
    if ((k < 3) != (comma != std::string::npos))
      throw UsageError("--roi '" + text + "': give four values x0,y0,x1,y1 (e.g. 0,0,40nm,40nm or 0,0,2000px,2000px)");
    std::string token = text.substr(start, k < 3 ? comma - start : std::string::npos);
    start = comma + 1;
    while (!token.empty() && token.front() == ' ') token.erase(0, 1);
    while (!token.empty() && token.back() == ' ') token.pop_back();
    if (token.size() > 2 && token.compare(token.size() - 2, 2, "px") == 0) {
      char* end = nullptr;
      const double px = std::strtod(token.c_str(), &end);
      if (end != token.c_str() + token.size() - 2 || !(px >= 0) || !(px <= 1e9))
        throw UsageError("--roi: '" + token + "' is not a pixel count");
      v[k] = {px, true};
    } else if (token != "0") {
      v[k] = {parse_length_nm(token, "--roi"), false};  // a UsageError naming --roi
    }
  }
  return v;
}

}  // namespace mgscope

#include "pipelines/hrtem_series_analysis.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "fitting/base/core_lending.hpp"
#include "fitting/base/error.hpp"
#include "imaging/frame_average.hpp"
#include "imaging/frame_drift.hpp"
#include "imaging/io/image_frames.hpp"
#include "pipelines/hrtem_image_run.hpp"
#include "pipelines/json_output.hpp"

namespace mgscope {

namespace {

// The pixels of one analysed point and what its frames said.
struct PointPixels {
  StoredImage pixels;
  ImageInfo info;
  std::optional<double> time_s;
  FrameTime clock;  // the first frame's (its time, source and step)
  double drift_px = std::numeric_limits<double>::quiet_NaN();  // largest shift from the first frame (--sum)
  double span_px = std::numeric_limits<double>::quiet_NaN();   // largest distance between two frames (--sum)
  int frames_not_aligned = 0;
  std::optional<CropSpectrum> field;  // to follow the specimen from point to point (field_of)
  std::vector<std::string> reader_warnings;  // the reader's, for the point's first frame
};

// The series' burned-in annotations, found once on the first point's first frame (they stay put,
// frame after frame) and left out when the points' fields are compared.
struct SeriesStationary {
  BitPlane pixels;
  bool found = false;
};

// The first point finds them on its first frame, before any other point starts.
void find_stationary(const StoredImage& first_frame, SeriesStationary& stationary, int threads) {
  if (stationary.found) return;
  stationary.pixels = stationary_pixels(first_frame, threads);
  stationary.found = true;
}

// The spectrum of a point's field (its first frame, or the sum of its frames in the first frame's
// place), against which the next point's is compared; none for a frame too small to compare (the
// analysis says what is wrong with it).
std::optional<CropSpectrum> field_of(const StoredImage& field, const SeriesStationary& stationary) {
  try {
    return crop_spectrum(field, stationary.pixels);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

// One analysed point: frame `first` .. `first + sum - 1` read one at a time and averaged, so that
// at most one native frame and one float sum are alive. A single frame stays as compact as read.
// With `align`, the frames are aligned on the first before they are averaged (AlignedAverage).
PointPixels read_point(ImageFrames& frames, std::mutex& read_lock, int first, int sum, bool align, int threads,
                       SeriesStationary& stationary) {
  const std::string& path = frames.path();
  PointPixels p;
  std::optional<AlignedAverage> average;
  int width = 0, height = 0;  // the first frame's
  int value_scale_log2 = 0;   // likewise
  double time_sum = 0;
  bool all_timed = true;
  for (int k = 0; k < sum; ++k) {
    const int frame = first + k;
    // A frame that cannot be read or converted names itself: a point may average several.
    auto naming_frame = [frame](auto&& step) {
      try {
        return step();
      } catch (const InputError& e) {
        throw InputError("frame " + std::to_string(frame) + ": " + e.what());
      }
    };
    LoadedImage img = naming_frame([&] {
      std::lock_guard<std::mutex> lock(read_lock);
      return frames.read(frame);
    });
    const FrameTime t = frame_time(img.info.metadata, frame);
    if (k == 0) p.clock = t;
    // Times of one clock only: the files of a folder may each record theirs differently.
    all_timed = all_timed && t.seconds.has_value() && t.source == p.clock.source;
    if (t.seconds) time_sum += *t.seconds;
    if (k == 0) {
      p.info = std::move(img.info);
      p.reader_warnings = p.info.warnings;
    }
    if (sum == 1) {
      p.pixels = naming_frame([&] { return StoredImage::from_raw(std::move(img.raw), path); });
      find_stationary(p.pixels, stationary, threads);
      p.field = field_of(p.pixels, stationary);
      continue;
    }
    // The point's first frame sets the scale of them all (float_range_exponent), so that they add
    // up; float64 frames are scaled as they become float (narrowing_exponent), the others after.
    const int narrowing = k == 0 ? narrowing_exponent(img.raw) : value_scale_log2;
    ImageF f = naming_frame([&] { return to_float(img.raw, path, narrowing); });
    img.raw = RawImage{};
    if (k == 0) {
      value_scale_log2 = narrowing + fit_float_range(f);
      width = f.width;
      height = f.height;
      find_stationary(f, stationary, threads);
      average.emplace(std::move(f), align, threads);
      continue;
    }
    if (f.width != width || f.height != height)
      fail_input(path, "--sum: frame " + std::to_string(frame) + " is " + std::to_string(f.width) + " x " +
                           std::to_string(f.height) + " px but frame " + std::to_string(first) + " is " +
                           std::to_string(width) + " x " + std::to_string(height) + " px");
    average->add(f, frame);
  }
  // Points of averaged frames are linked by their sums (frames on the first's pixels, before the
  // crop): --sum serves frames of low dose, whose single frames link worse (frame_drift.hpp).
  if (average) p.field = field_of(average->running_sum(), stationary);
  if (average) {
    const std::string frames_text = std::to_string(first) + " to " + std::to_string(first + sum - 1);
    try {
      ImageF mean = average->finish(sum);
      p.info.width = mean.width;
      p.info.height = mean.height;
      p.pixels = StoredImage(std::move(mean));
      p.pixels.value_scale_log2 = value_scale_log2;
    } catch (const std::invalid_argument& e) {
      fail_input(path, "frames " + frames_text + " (--sum " + std::to_string(sum) + "): " + e.what() + " to average");
    }
    p.info.metadata["series.frames_averaged"] = frames_text;
    p.drift_px = average->largest_drift_px();
    p.span_px = average->largest_span_px();
    if (average->aligned()) {
      p.frames_not_aligned = average->frames_not_aligned();
      p.info.metadata["series.frame_shifts_px"] =
          "from frame " + std::to_string(first) + ", (x right, y down) by phase correlation: " + average->shifts();
      if (!average->crop().empty())
        p.info.metadata["series.aligned_crop_px"] = average->crop() + " of frame " + std::to_string(first);
      if (p.frames_not_aligned)
        p.info.warnings.push_back(
            std::to_string(p.frames_not_aligned) + " of the " + std::to_string(sum - 1) +
            " frames averaged onto the point's first could not be aligned (no clear correlation peak): averaged "
            "where they lay, so drift may blur the average and stripe its spectrum");
    }
  }
  if (all_timed && !p.clock.source.empty()) p.time_s = time_sum / sum;
  return p;
}

// --no-align: N frames averaged where they lie are the image convolved with a comb of N copies
// over the span S between the farthest two (S / (N - 1) px a frame for a steady drift). The comb's
// spectrum |sin(N k s / 2) / sin(k s / 2)| has its first null at a period of N S / (N - 1) px: once
// that period nears the smallest spacing searched (d_min), its nulls and side lobes stripe the
// band of lattice spacings, and the spot test reads the stripes as order. Measured on the probe's
// generator (1024 px, 100 counts, growth, --sum 4, d_min 7.5 px), the ordered box fraction of the
// two points rose over the aligned one's by +1/+2 points at 1.6 px a frame (a period of 6.4 px,
// 0.85 d_min), +5/+1 at 1.8 (0.96), +8/+11 at 2.0 (1.07), +17/+15 at 2.4, +38/+38 at 2.8, and to
// 68-72 % against 1-14 % at 3.6 px a frame: the warning starts at 0.9 d_min. (Measured before the
// noise model followed a direction-dependent spectrum, which now takes the stripes for what they
// are: the fractions come near the aligned ones, but the frames' fringes are still smeared.)
constexpr double kCombWarningOfDmin = 0.9;

// The warning, or "" when the drift stays under that (or was not measured).
std::string unaligned_comb_warning(double span_px, int frames, double pixel_nm, double d_min_nm) {
  if (!std::isfinite(span_px) || frames < 2 || !(pixel_nm > 0)) return "";
  const double period_px = span_px * frames / (frames - 1);
  const double d_min_px = d_min_nm / pixel_nm;
  if (period_px < kCombWarningOfDmin * d_min_px) return "";
  char text[700];
  std::snprintf(text, sizeof text,
                "the %d frames averaged into this point lie up to %.1f px (%.3g nm) apart and --no-align averaged "
                "them where they lay: the average's spectrum is striped with a period of %.1f px (%.3g nm), which "
                "reaches the spacings searched (from %.3g nm, %.1f px): the noise model follows the stripes as a "
                "direction dependence, but each frame's fringes are smeared across the others', so this point's "
                "fractions are doubtful; drop --no-align to align the frames",
                frames, span_px, span_px * pixel_nm, period_px, period_px * pixel_nm, d_min_nm, d_min_px);
  return text;
}

// A point's exposure, to tell when the dose moved from the calibrating point's: the mean value and
// the noise sd (from differences of neighbouring pixels along rows, which the specimen's smooth
// contrast adds little to), in the file's units (the float scale of an average undone). And how its
// contrast depends on direction, to tell when that moved at an unchanged dose (a drift or vibration
// starting mid-series blurs along one direction; astigmatism makes the halo elliptical): the
// structure function D(u) = <(I(r + u) - I(r))^2> at a lag `lag_px` along rows, columns and both
// diagonals, whose 2-theta harmonics (D0 - D90, D45 - D135) over their mean are `harmonics`. The
// mean divides out the dose, and the shot noise, which adds the same to all four, cancels in the
// differences. And its radial spectrum, to tell a change of focus or an isotropic blur at an
// unchanged dose, which the harmonics do not see: the same rows' structure function with its shot
// noise (D at 1 px along the rows, where the specimen adds about a sixth at 400 counts) taken off,
// over the mean squared (`contrast_log`, the log of the relative contrast at the lag: a blur or a
// charging specimen lowers it, the dose does not move it), and at three times the lag (1.2 d_min,
// 0.18 nm, inside the halo's first period) over at the lag, along the rows (`shape_log`: where the
// halo lies, which a defocus moves; at twice the lag a halo moved from 0.25 to 0.23 nm had moved it
// by 0.007 at 25 counts, at three times 0.14).
struct PointLevel {
  double mean = std::numeric_limits<double>::quiet_NaN();
  double noise = std::numeric_limits<double>::quiet_NaN();
  int lag_px = 0;  // 0: the direction dependence and radial spectrum not measured
  std::array<double, 2> harmonics = {std::numeric_limits<double>::quiet_NaN(),
                                     std::numeric_limits<double>::quiet_NaN()};
  double contrast_log = std::numeric_limits<double>::quiet_NaN();  // -inf: no contrast above the noise
  double shape_log = std::numeric_limits<double>::quiet_NaN();
  double samples = 0;  // differences summed per direction
};

// The differences per direction the structure function sums, rows taken at a step that reaches
// about this many whatever the frame's size (every row of 512^2, every 4th of 1024^2, every 16th of
// 2048^2): its noise is then the same for every size (the harmonics of two frames of pure shot
// noise differ by a Rayleigh distance of sd about 2.8 / sqrt(samples), 0.0055), and its cost about
// 0.65 ms a point (0.5-2.4 % of a point of 2048^2 to 512^2; every 4th row of 512^2 had left the
// harmonics of unchanged frames twice as far apart), and 0.17-0.19 ms more with the radial sums.
constexpr double kDirectionSamples = 1 << 18;

PointLevel level_of(const StoredImage& image, int lag_px) {
  PointLevel l;
  if (image.width < 2 || image.height < 1) return l;
  std::vector<float> row(std::size_t(image.width));
  double sum = 0, diff2 = 0;
  // Every 4th row: a check against a factor of 1.5 needs no more, and a pass over every pixel of
  // every frame had cost 5 % of a series' CPU.
  constexpr int kRowStep = 4;
  int rows = 0;
  for (int y = 0; y < image.height; y += kRowStep, ++rows) {
    image.copy_block(0, y, image.width, 1, row.data(), image.width);
    for (int x = 0; x < image.width; ++x) sum += row[std::size_t(x)];
    for (int x = 1; x < image.width; ++x) {
      const double d = double(row[std::size_t(x)]) - double(row[std::size_t(x) - 1]);
      diff2 += d * d;
    }
  }
  const double unscale = std::ldexp(1.0, -image.value_scale_log2);
  l.mean = sum / (double(image.width) * rows) * unscale;
  l.noise = std::sqrt(diff2 / (2.0 * (image.width - 1) * rows)) * unscale;
  if (lag_px <= 0 || lag_px >= image.width || lag_px >= image.height) return l;
  std::vector<float> below(std::size_t(image.width));
  std::array<double, 4> lagged{};  // sums of squared differences at 0, 90, 45 and 135 degrees
  // Along the rows only, over their first width - 3 lag_px pixels: at 1 px, the lag and 3 times it.
  // The shot noise taken off is that of the same pixels (the noise sd above, from every 4th row
  // of 1024^2, had left the shape of unchanged frames at 25 counts 1.6x further apart).
  std::array<double, 3> along{};
  const int step = int(std::max(1.0, std::floor(double(image.width) * image.height / kDirectionSamples)));
  const int along_width = image.width - 3 * lag_px;
  double along_samples = 0;
  for (int y = 0; y + lag_px < image.height; y += step) {
    image.copy_block(0, y, image.width, 1, row.data(), image.width);
    image.copy_block(0, y + lag_px, image.width, 1, below.data(), image.width);
    // Each direction over the same width - lag_px pixels of the row, so that the four are alike.
    const auto direction = [&](int x) {
      const double here = row[std::size_t(x)], right = row[std::size_t(x + lag_px)];
      const double under = below[std::size_t(x)], under_right = below[std::size_t(x + lag_px)];
      lagged[0] += (right - here) * (right - here);
      lagged[1] += (under - here) * (under - here);
      lagged[2] += (under_right - here) * (under_right - here);
      lagged[3] += (under - right) * (under - right);
    };
    // The radial sums in the same pass over the row (a second pass had cost 0.27 ms a point, this 0.18).
    int x = 0;
    for (; x < along_width; ++x) {
      direction(x);
      const double here = row[std::size_t(x)];
      const double d1 = row[std::size_t(x + 1)] - here, d = row[std::size_t(x + lag_px)] - here,
                   d3 = row[std::size_t(x + 3 * lag_px)] - here;
      along[0] += d1 * d1;
      along[1] += d * d;
      along[2] += d3 * d3;
    }
    for (; x + lag_px < image.width; ++x) direction(x);
    l.samples += image.width - lag_px;
    along_samples += std::max(0, along_width);
  }
  const double lagged_mean = (lagged[0] + lagged[1] + lagged[2] + lagged[3]) / 4;
  if (lagged_mean > 0) {
    l.lag_px = lag_px;
    l.harmonics = {(lagged[0] - lagged[1]) / lagged_mean, (lagged[2] - lagged[3]) / lagged_mean};
  }
  if (lagged_mean > 0 && along_samples > 0 && l.mean > 0) {
    const double noise2 = along[0] / along_samples;  // 2 sigma^2, and a little of the specimen
    const double contrast = lagged_mean / l.samples - noise2;
    const double scaled_mean = l.mean / unscale;
    l.contrast_log =
        contrast > 0 ? std::log(contrast / (scaled_mean * scaled_mean)) : -std::numeric_limits<double>::infinity();
    const double at_lag = along[1] / along_samples - noise2, at_three = along[2] / along_samples - noise2;
    if (at_lag > 0 && at_three > 0) l.shape_log = std::log(at_three / at_lag);
  }
  return l;
}

// The lag of PointLevel's structure function: 0.4 of the smallest spacing searched (3 px at 0.0199
// nm and the default 0.15 nm), where the amorphous halo (0.2-0.3 nm) still weighs much against the
// shot noise. Measured on synthetic glass (halo at 0.28 nm, 512 and 1024 px, 25-400 counts), a
// lag of 3 px told a 3 % elliptical halo from none better than 4 (0.8 of the harmonics' change)
// and than the largest single direction's change (half of it). 0 where the pixel size is not known
// yet (the analysis then says what is wrong).
int direction_lag_px(const ImageInfo& info, const CalibrateOptions& calibrate, double d_min_nm) {
  const double pixel_nm = calibrate.pixel_nm ? *calibrate.pixel_nm
                          : info.calibration.calibrated
                              ? std::min(info.calibration.pixel_x_nm, info.calibration.pixel_y_nm)
                              : 0.0;
  if (!(pixel_nm > 0) || !(d_min_nm > 0)) return 0;
  return int(std::clamp(std::lround(0.4 * d_min_nm / pixel_nm), 1L, 64L));
}

// The series' calibration, once the calibrating point is analysed: taken unchecked by a point of
// the same exposure, direction dependence and radial spectrum, and after the batch's spectrum
// check (docs/hrtem.md, "A batch calibrates once") by a point whose mean or noise moved by more
// than kDoseCheckFactor from it, or whose direction dependence or radial spectrum moved
// (ContrastShift).
struct SeriesCalibration {
  SharedThreshold unchecked, checked;
  PointLevel level;
  int frame = 0;  // the calibrating point's first frame
};

// The factor of mean or noise beyond which a point's spectrum is checked before it takes the
// calibration. On synthetic glass the whitened level moved by +1.2 to +1.7 from 400 to 1600
// counts (docs/hrtem.md): a factor of 1.5 in dose moves it by about 0.5, inside the null's own
// seed-to-seed sd of 0.7, and costs nothing; beyond it the spectrum decides (13 ms on 2048^2).
// Measured on the probe's 5 -> 400 counts ramp of one unchanging specimen: calibrated once, the
// ordered box fraction rose 5 -> 10 % with no growth.
constexpr double kDoseCheckFactor = 1.5;

bool dose_moved(const PointLevel& a, const PointLevel& b) {
  const auto apart = [](double x, double y) {
    return std::isfinite(x) && std::isfinite(y) && x > 0 && y > 0 && std::max(x / y, y / x) > kDoseCheckFactor;
  };
  return apart(a.mean, b.mean) || apart(a.noise, b.noise);
}

// The change of PointLevel::harmonics beyond which a point of an unchanged dose is checked as one
// of another dose is (the check's direction part, whitening_change, refuses at 0.15), for frames
// that reach kDirectionSamples; a smaller frame's tolerance grows as its noise, with the square
// root of the samples missing. Measured on synthetic glass (docs/hrtem.md, "In-situ series"): of
// 39 frames of one specimen with fresh shot noise, at 25, 100 and 400 counts, none moved them by
// more than 0.010 (512 px) and 0.012 (1024 px), nor growth from 2 to 25 % ordered over 20 frames
// by more than 0.015, while a halo 3 % elliptical, which the check refuses (0.16-0.22), moved them
// by 0.024-0.056 and a motion blur of 0.1 nm by 0.08-0.20. A point beyond it that the check
// accepts costs the check only: since session 53 it is read off the point's own boxes (about 1.7 ms
// on 2048^2); on null crops it had cost 4.5 ms on 512^2 to 43 ms on 2048^2, 17-33 % of a point.
constexpr double kDirectionCheckShift = 0.02;

// The changes of PointLevel's radial measures beyond which a point of an unchanged dose is checked,
// for frames that reach kDirectionSamples (smaller ones' grow as for the harmonics): the contrast
// (its log) by kContrastCheckShift, the shape by kShapeCheckShift. Measured on synthetic glass
// (`synth hrtem --frames 13`, halo at 0.25 nm, 512 and 1024 px, 25, 100 and 400 counts): 12 frames
// of one specimen with fresh shot noise moved the contrast by at most 0.04 and the shape by at
// most 0.072 (at 25 counts; 0.021 at 100, 0.007 at 400), growth from 2 to 25 % ordered the
// contrast by up to 0.10 (its fringes add contrast) and the shape by up to 0.065; while what the
// check refuses (radial spectrum 0.19-1.4 from the first frame's, in log power) moved them by
// 0.56-0.64 for a blur from 0.02 to 0.036 nm, 1.5-1.8 for 0.054 nm, and the shape by 0.14-0.31
// for a halo moved to 0.23, 0.27 or 0.28 nm, but for one frame of 512 px at 25 counts (0.076).
constexpr double kContrastCheckShift = 0.25;
constexpr double kShapeCheckShift = 0.10;

// How far a point's contrast moved from the calibrating point's: its direction dependence and its
// radial spectrum (contrast and shape), each with its tolerance for frames of these sizes; NaN when
// either point was not measured or at another lag.
struct ContrastShift {
  double direction = std::numeric_limits<double>::quiet_NaN(), direction_tolerance = direction;
  double contrast = direction, contrast_tolerance = direction;
  double shape = direction, shape_tolerance = direction;
  bool direction_moved() const { return direction > direction_tolerance; }
  bool radial_moved() const { return contrast > contrast_tolerance || shape > shape_tolerance; }
};

ContrastShift contrast_shift(const PointLevel& a, const PointLevel& b) {
  ContrastShift s;
  if (a.lag_px == 0 || a.lag_px != b.lag_px || !(a.samples > 0) || !(b.samples > 0)) return s;
  const double size_factor = std::sqrt(std::max(1.0, kDirectionSamples / std::min(a.samples, b.samples)));
  s.direction = std::hypot(a.harmonics[0] - b.harmonics[0], a.harmonics[1] - b.harmonics[1]);
  s.direction_tolerance = kDirectionCheckShift * size_factor;
  // A point whose contrast sank into its noise (-inf) has moved as far as can be, when the other's had not.
  if (a.contrast_log != b.contrast_log)
    s.contrast = std::fabs(a.contrast_log - b.contrast_log);
  else if (std::isinf(a.contrast_log))
    s.contrast = 0;
  s.contrast_tolerance = kContrastCheckShift * size_factor;
  s.shape = std::fabs(a.shape_log - b.shape_log);
  s.shape_tolerance = kShapeCheckShift * size_factor;
  return s;
}

// A point without specimen contrast: the median band-to-noise ratio of its sub-boxes (the
// specimen mask's, imaging/specimen_mask.hpp) under this, where shot noise alone gives 1 (dark
// noise of a blanked beam and a flat vacuum frame read 0.99-1.03 on the probe's stacks), while the
// calibrating point's is at or above it. Such a point's boxes are all "amorphous" (0 % ordered), a
// dip of the growth curve that reads as dissolution: it is n/a instead. A series all of whose
// points are near the noise (frames of 1 count per pixel) is left as it is, with the low-contrast
// warning of each point.
constexpr double kNoContrastRatio = 1.1;

// One point analysed: its row and full run, or why it failed.
struct PointOutcome {
  std::optional<HrtemImageRun> run;
  SeriesPoint point;
  FrameTime clock;
  std::optional<CropSpectrum> field;
  std::vector<std::string> reader_warnings;
  PointLevel level;
  std::string dose_note;                    // with a calibration checked because the dose moved: the two levels
  std::string direction_note;  // ... because the direction dependence moved (and the dose did not): by how much
  std::string radial_note;     // ... because the radial spectrum moved (and neither of those did)
  double nm_per_px_x = 0, nm_per_px_y = 0;  // of the file's frames (they differ where --anisotropic resampled)
  std::string failure;             // an InputError's text (the point is left out)
  std::exception_ptr fatal;        // anything else, raised again in point order
};

// Reads point k (the file's frames under `read_lock`: a TIFF handle is not shared) and analyses it,
// with the series' calibration `cal` when there is one (else calibrating its own).
PointOutcome analyse_point(ImageFrames& frames, std::mutex& read_lock, const FrameSelection& sel, int k,
                           const HrtemSettings& settings, const HrtemOptions& options, SeriesStationary& stationary,
                           const SeriesCalibration* cal) {
  PointOutcome o;
  SeriesPoint& p = o.point;
  p.point = k;
  p.first_frame = sel.point_first(k);
  p.last_frame = sel.point_last(k);
  try {
    PointPixels px =
        read_point(frames, read_lock, p.first_frame, sel.sum, settings.series.align, options.threads, stationary);
    o.clock = px.clock;
    o.field = std::move(px.field);
    o.reader_warnings = px.reader_warnings;
    if (!frames.files().empty())
      p.file = std::filesystem::path(px.info.path).lexically_relative(frames.path()).string();
    const int read_width = px.info.width, read_height = px.info.height;
    o.level = level_of(px.pixels, direction_lag_px(px.info, settings.calibrate, options.spots.d_min_nm));
    HrtemUserInputs user = settings.user;
    if (cal) {
      const bool dose = dose_moved(o.level, cal->level);
      const ContrastShift shift = contrast_shift(o.level, cal->level);
      const bool check = dose || shift.direction_moved() || shift.radial_moved();
      user.shared_threshold = check ? &cal->checked : &cal->unchecked;
      if (dose) {
        char note[200];
        std::snprintf(note, sizeof note, "mean %.4g and noise sd %.4g against %.4g and %.4g on frame %d", o.level.mean,
                      o.level.noise, cal->level.mean, cal->level.noise, cal->frame);
        o.dose_note = note;
      } else if (shift.direction_moved()) {
        char note[200];
        std::snprintf(note, sizeof note,
                      "the 2-theta harmonics of its structure function at %d px by %.3f from frame %d's, over %.3f",
                      o.level.lag_px, shift.direction, cal->frame, shift.direction_tolerance);
        o.direction_note = note;
      } else if (check) {
        char note[300];
        std::snprintf(note, sizeof note,
                      "its relative contrast at %d px by %.3f in log (tolerance %.3f) and the ratio of its structure "
                      "function at %d px to that at %d px by %.3f (tolerance %.3f) from frame %d's",
                      o.level.lag_px, shift.contrast, shift.contrast_tolerance, 3 * o.level.lag_px, o.level.lag_px,
                      shift.shape, shift.shape_tolerance, cal->frame);
        o.radial_note = note;
      }
    }
    o.run.emplace(analyse_hrtem_image(std::move(px.pixels), std::move(px.info), settings.calibrate, options,
                                      settings.area, user));
    HrtemImageRun& run = *o.run;
    p.file_time_s = px.time_s;
    p.drift_nm = px.drift_px * run.run.pixel_nm();
    if (!settings.series.align)
      if (std::string w = unaligned_comb_warning(px.span_px, sel.sum, run.run.pixel_nm(), options.spots.d_min_nm);
          !w.empty())
        run.run.warnings.push_back(std::move(w));
    o.nm_per_px_x = run.run.pixel_nm() * run.run.width_px / read_width;
    o.nm_per_px_y = run.run.pixel_nm() * run.run.height_px / read_height;
    p.frames_not_aligned = px.frames_not_aligned;
    p.boxes = run.result.fractions;
    if (const auto& limit = run.result.threshold.detection_limit)
      p.detection_contrast_90 = middle_limit(*limit).contrast_90;
    if (run.area) {
      p.has_area = true;
      p.ordered_area_fraction = run.area->ordered_area_fraction;
      p.ordered_area_fraction_95 = run.area->ordered_area_fraction_95;
    }
  } catch (const InputError& e) {
    o.run.reset();
    // The series' ERROR line names the file: its name inside the message would be said twice.
    o.failure = e.what();
    const std::string named = frames.path() + ": ";
    for (std::size_t at; (at = o.failure.find(named)) != std::string::npos;) o.failure.erase(at, named.size());
  } catch (...) {
    o.run.reset();
    o.fatal = std::current_exception();
  }
  return o;
}

// The significant digits (6 to 12) that print two different pixel sizes differently.
int pixel_digits(double a_nm, double b_nm) {
  for (int digits = 6; digits < 12; ++digits) {
    char a[40], b[40];
    std::snprintf(a, sizeof a, "%.*g", digits, a_nm);
    std::snprintf(b, sizeof b, "%.*g", digits, b_nm);
    if (std::string(a) != b) return digits;
  }
  return 12;
}

// Where the specimen lies in each point's first frame relative to the first point's: the shifts
// between consecutive points' first frames (measured on their fields, field_of: phase
// correlation, frame_drift.hpp), added up. Chained
// rather than each against the first, so that a drift of more than the correlation's reach (a
// quarter of the compared crop) over the whole series is still followed, and a specimen that
// changes slowly (the nanocrystals the series is about) is compared with its recent self. Once a
// link cannot be measured, the rest of the series is not placed.
class SpecimenTrack {
 public:
  // Called in point order, for the points analysed.
  void follow(PointOutcome& o, SeriesPoint& p, HrtemSeriesRecord& record) {
    if (lost_) return;
    if (!o.field) {
      lose(p.point, "its first frame is too small to compare", record);
      return;
    }
    const CropSpectrum& field = *o.field;
    if (previous_ && !same_pixel_size(o.nm_per_px_x, previous_nm_per_px_)) {
      char why[200];
      // Digits enough to show the difference.
      const int digits = pixel_digits(o.nm_per_px_x, previous_nm_per_px_);
      std::snprintf(why, sizeof why, "its pixels are %.*g nm, the previous point's %.*g nm (the magnification changed)",
                    digits, o.nm_per_px_x, digits, previous_nm_per_px_);
      lose(p.point, why, record);
      return;
    }
    if (previous_) {
      const CropSpectrum& before = *previous_;
      if (field.width != before.width || field.height != before.height) {
        lose(p.point,
             "its first frame is " + std::to_string(field.width) + " x " + std::to_string(field.height) +
                 " px, the previous point's " + std::to_string(before.width) + " x " + std::to_string(before.height),
             record);
        return;
      }
      const FrameShift s = shift_between(before, field);
      if (!s.reliable) {
        char why[240];
        std::snprintf(why, sizeof why,
                      "no clear correlation peak between this point and the previous one (%.1f rms, under "
                      "%.0f): a drift of more than %d px between them, or a field that changed",
                      s.peak_contrast, kMinDriftPeakContrast, field.side * field.bin / 4);
        lose(p.point, why, record);
        return;
      }
      x_px_ += s.dx_px;
      y_px_ += s.dy_px;
    }
    p.specimen_shift_x_nm = x_px_ * o.nm_per_px_x;
    p.specimen_shift_y_nm = y_px_ * o.nm_per_px_y;
    p.first_field_in_view =
        std::max(0.0, 1 - std::abs(x_px_) / field.width) * std::max(0.0, 1 - std::abs(y_px_) / field.height);
    previous_ = std::move(o.field);
    previous_nm_per_px_ = o.nm_per_px_x;
  }

 private:
  void lose(int point, std::string why, HrtemSeriesRecord& record) {
    record.specimen_lost_at_point = point;
    record.specimen_lost_because = std::move(why);
    lost_ = true;
    previous_.reset();
  }
  std::optional<CropSpectrum> previous_;  // the last placed point's
  double previous_nm_per_px_ = 0;
  double x_px_ = 0, y_px_ = 0;
  bool lost_ = false;
};

// Points analysed `at_once` at a time (each worker takes the next point), handed to `use` on this
// thread in point order. A worker stays at most `at_once` points ahead of the one handed on, so at
// most 2 at_once points' pixels are alive. With `lend`, the workers' loops share the cores through
// a lender (core_lending.hpp): a worker with no point left lends its core to those still running.
void points_in_order(int first, int last, int at_once, bool lend, const std::function<PointOutcome(int)>& work,
                     const std::function<void(PointOutcome&&)>& use) {
  if (at_once <= 1 || last - first < 2) {
    for (int k = first; k < last; ++k) use(work(k));
    return;
  }
  std::mutex mutex;
  std::condition_variable changed;
  std::map<int, PointOutcome> done;
  int next = first, handed = first;
  int end = last;  // points that will be handed on: those already taken, once `use` threw
  const int workers_count = std::min(at_once, last - first);
  CoreLender lender(std::max(0, usable_cores() - workers_count));
  auto worker = [&] {
    CoreLenderScope scope(lend ? &lender : nullptr);
    for (;;) {
      int k;
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return next >= end || next < handed + at_once; });
        if (next >= end) {
          if (lend) lender.lend();  // to the points still running
          return;
        }
        k = next++;
      }
      PointOutcome o = work(k);
      std::lock_guard<std::mutex> lock(mutex);
      done.emplace(k, std::move(o));
      changed.notify_all();
    }
  };
  std::vector<std::thread> workers;
  for (int w = 0; w < workers_count; ++w) workers.emplace_back(worker);
  std::exception_ptr failed;
  for (;;) {
    std::unique_lock<std::mutex> lock(mutex);
    if (handed >= end) break;
    changed.wait(lock, [&] { return done.count(handed) > 0; });
    PointOutcome o = std::move(done.at(handed));
    done.erase(handed);
    ++handed;
    changed.notify_all();
    lock.unlock();
    try {
      if (!failed) use(std::move(o));
    } catch (...) {
      // No further point is taken; those running finish, and are dropped.
      failed = std::current_exception();
      std::lock_guard<std::mutex> stop(mutex);
      end = next;
      changed.notify_all();
    }
  }
  for (std::thread& w : workers) w.join();
  if (failed) std::rethrow_exception(failed);
}

// The points of `sel` whose frames all lie among the `held` frames the file holds (ImageFrames::frames_held);
// all of them when it holds every frame. At least 1: a first point past the end fails with the reader's
// own message, which names the bytes.
int points_held(const FrameSelection& sel, std::optional<int> held) {
  const int n = sel.points();
  if (!held || n == 0 || sel.point_last(n - 1) < *held) return n;
  if (sel.point_last(0) >= *held) return 1;
  return (*held - 1 - sel.point_last(0)) / sel.step + 1;
}

}  // namespace

std::string series_point_folder(int first_frame, int last_frame) {
  char buf[48];
  if (first_frame == last_frame) std::snprintf(buf, sizeof buf, "frame_%04d", first_frame);
  else std::snprintf(buf, sizeof buf, "frames_%04d-%04d", first_frame, last_frame);
  return buf;
}

HrtemSeriesAnalysis analyse_hrtem_series(const std::string& path, const HrtemSettings& settings,
                                         const SeriesPointHook& on_point, const SeriesFailureHook& on_failure) {
  ImageFrames frames(path);  // a TIFF stays open from frame to frame
  std::mutex read_lock;
  const int frames_in_file = frames.frames();
  HrtemSeriesAnalysis a;
  const FrameSelection sel = parse_frame_selection(settings.series.frames, settings.series.sum, frames_in_file, path);
  require_one_image(frames.images(), sel, path);
  a.selection = sel;
  const int n = sel.points();
  // Points whose frames the file does not hold (a stack cut short, or a frame count forged upward: nz
  // = 1e8 in a 197 KB MRC) are not read but named once at the end. They had failed one by one, an
  // ERROR line each (33 million for that file), and reserving their rows had thrown std::bad_alloc.
  const int n_read = points_held(sel, frames.frames_held());
  std::set<int> kept = {0, n_read / 2, n_read - 1};  // points whose full outputs are written

  HrtemSeriesRecord& record = a.record;
  record.selection = sel;
  record.frames_in_file = frames_in_file;
  record.aligned = settings.series.align;
  a.points.reserve(std::size_t(n_read));
  FrameTime clock;    // the first point's
  std::string unlike;  // the first later point whose time is missing or from another field

  HrtemOptions options = settings.options;
  const bool once = options.threshold.mode == ThresholdMode::null_model && !settings.series.threshold_each_frame;
  record.threshold_mode = once ? "null, calibrated once"
                          : options.threshold.mode == ThresholdMode::null_model
                              ? "null, calibrated per point"
                              : threshold_mode_name(options.threshold.mode);
  // With `once`: the calibrating point's calibration (the first point with specimen contrast),
  // reused whole by the later points of its pixel size and box, unchecked while their exposure stays
  // within kDoseCheckFactor of its own and after the batch's spectrum check beyond; a point of
  // another pixel size (the magnification changed) or spectrum calibrates its own, and the series
  // warns.
  std::optional<SeriesCalibration> calibration;
  SeriesStationary stationary;
  SpecimenTrack track;
  bool file_wide_known = false;  // the first analysed point's reader warnings are in record.file_warnings
  int calibrating = 0;           // the point that calibrated the threshold
  double reference_ratio = std::numeric_limits<double>::quiet_NaN();  // its median band-to-noise ratio
  auto use = [&](PointOutcome&& o) {
    const int k = o.point.point;
    if (o.fatal) std::rethrow_exception(o.fatal);
    if (!o.run) {
      // The first point sets the threshold and the outputs' settings: without it there is no
      // series. A later frame that cannot be read or analysed (a truncated last frame of an
      // interrupted acquisition) costs its point only.
      if (k == 0) {
        const SeriesPoint& p = o.point;
        fail_input(path, "the series' first point (frames " + std::to_string(p.first_frame) + " to " +
                             std::to_string(p.last_frame) + "), which calibrates the others, cannot be analysed: " +
                             o.failure + "; a series can start at a later frame (--frames A:B)");
      }
      ++record.failed_points;
      if (kept.count(k) && k + 1 < n_read) kept.insert(k + 1);  // the middle point's outputs from the next one
      const std::string w = "point " + std::to_string(k) + " (frames " + std::to_string(o.point.first_frame) + " to " +
                            std::to_string(o.point.last_frame) + ") left out: " + o.failure;
      if (record.failures.size() < 50) record.failures.push_back(w);
      on_failure(w);
      return;
    }
    const HrtemImageRun& run = *o.run;
    SeriesPoint& p = o.point;
    const double ratio = run.result.mask.median_ratio;
    const bool no_contrast = ratio < kNoContrastRatio && reference_ratio >= kNoContrastRatio;
    // A point without specimen contrast is not placed: the track is bridged over it, as over a
    // point that failed, and the next point is linked to the last one placed.
    if (!no_contrast) track.follow(o, p, record);
    if (k > 0 && o.clock.source != clock.source) {  // a time from another field is not on the first's axis
      p.file_time_s.reset();
      if (unlike.empty() && !clock.source.empty())
        unlike = "point " + std::to_string(k) + (p.file.empty() ? "" : " (" + p.file + ")") +
                 (o.clock.source.empty() ? " has no time" : " has its time from " + o.clock.source);
    }
    if (k == 0) {
      clock = o.clock;
      record.first_point = hrtem_summary_json(run.result, run.run, run.options, run.area ? &*run.area : nullptr);
    }
    if (k == calibrating) {
      record.whitened_level = run.result.threshold.value;
      record.secondary_whitened_level = run.result.threshold.secondary_value;
      if (const auto& limit = run.result.threshold.detection_limit)
        record.detection_spacing_nm = middle_limit(*limit).spacing_nm;
    }
    std::vector<std::string> warnings = hrtem_warnings(run.result, run.run, run.area ? &*run.area : nullptr);
    if (no_contrast) {
      // Its boxes would all read amorphous: n/a, not 0 %. Its own warnings (near the noise level,
      // ...) are about a frame without specimen, and give way to this one.
      char text[400];
      std::snprintf(text, sizeof text,
                    "no specimen contrast: the median band-to-noise ratio of its sub-boxes is %.3f, under %.2g, where "
                    "shot noise alone gives 1 and frame %d, the series' first point with contrast, %.3g (beam blanked, "
                    "vacuum or a dark frame): left out of the ordered fractions (n/a), the specimen followed across "
                    "it",
                    ratio, kNoContrastRatio, sel.point_first(calibrating), reference_ratio);
      warnings = {text};
      p.no_specimen = true;
      p.boxes = ClassFractions{};
      p.has_area = false;
      p.ordered_area_fraction = std::numeric_limits<double>::quiet_NaN();
      p.ordered_area_fraction_95 = Interval{};
      ++record.no_specimen_points;
      if (record.no_specimen_frames.size() < 50) record.no_specimen_frames.push_back({p.first_frame, p.last_frame});
      record.no_specimen_ratio_low =
          std::isfinite(record.no_specimen_ratio_low) ? std::min(record.no_specimen_ratio_low, ratio) : ratio;
      record.no_specimen_ratio_high =
          std::isfinite(record.no_specimen_ratio_high) ? std::max(record.no_specimen_ratio_high, ratio) : ratio;
      if (kept.count(k) && k + 1 < n_read) kept.insert(k + 1);  // its full outputs show no specimen
    } else if (k != calibrating && once && !run.threshold_shared) {
      ++record.points_own_threshold;
      if (run.result.threshold.reuse_refused) {
        // Why it was checked: its dose, else the direction dependence of its contrast at the same dose,
        // else its radial spectrum.
        std::string why;
        if (!o.dose_note.empty()) {
          ++record.points_dose_threshold;
          why = "the dose changed (" + o.dose_note + ")";
        } else if (!o.direction_note.empty()) {
          ++record.points_direction_threshold;
          why = "the direction dependence of its contrast moved at the same dose (" + o.direction_note +
                ": drift, vibration or astigmatism)";
        } else {
          ++record.points_radial_threshold;
          why = "the radial spectrum of its contrast moved at the same dose (" + o.radial_note +
                ": a change of focus, a blur or charging)";
        }
        // What differed: the direction dependence where the radial spectra agreed, else the radial one.
        const SpotThreshold& t = run.result.threshold;
        const bool direction = t.direction_change > kAnisotropyReuseTolerance;
        char text[900];
        std::snprintf(text, sizeof text,
                      "%s: %s differs from the calibrating frame's by %.2f (tolerance %.2f, %s), "
                      "so it calibrated its own spot threshold, as a batch's image does",
                      why.c_str(),
                      direction ? "the direction dependence of the point's amorphous spectrum (blur, ellipticity)"
                                : "the point's radial spectrum",
                      direction ? t.direction_change : t.spectrum_mismatch,
                      direction ? kAnisotropyReuseTolerance : kThresholdOnceSpectrumTolerance,
                      direction ? "rms in log power" : "in log power");
        warnings.push_back(text);
      } else {
        warnings.push_back(
            "the pixel size or box differs from the first point's (the magnification changed during "
            "the series): these points calibrated their own spot threshold, and their boxes sample the "
            "specimen differently");
      }
    }
    // The reader's warnings for the first point's frame are the file's (a stack cut short): said
    // once for the file, where they had been counted "(7 of 7 points)".
    if (!file_wide_known) {
      file_wide_known = true;
      for (const std::string& w : o.reader_warnings)
        if (std::find(record.file_warnings.begin(), record.file_warnings.end(), w) == record.file_warnings.end())
          record.file_warnings.push_back(w);
    }
    for (std::string& w : warnings)
      if (std::find(record.file_warnings.begin(), record.file_warnings.end(), w) == record.file_warnings.end())
        p.warning_texts.push_back(std::move(w));
    p.warnings = int(p.warning_texts.size());
    // By kind, and a bounded number of kinds: a long series keeps constant memory. A point without
    // specimen is said in one line for all of them (hrtem_series_warnings).
    if (!no_contrast)
      for (const std::string& w : p.warning_texts) record.warnings.add(w, k);
    const bool keep = kept.count(k) > 0 && !no_contrast;
    if (keep) record.kept.push_back(series_point_folder(p.first_frame, p.last_frame));
    a.points.push_back(p);
    on_point(p, n_read, run, keep);
  };

  // The first point alone, on every thread it is given: it calibrates the threshold the others
  // reuse. When it shows no specimen contrast (recording started before the beam was unblanked),
  // the next points are tried one by one, each calibrating its own, up to kCalibrationSearch of
  // them: the first with contrast calibrates, and the points before it are analysed after it with
  // its calibration (their runs are not kept meanwhile: each may hold a large frame). Dark noise
  // had calibrated the probe's 40 frames (whitened level 14.5 against 17.7 on frame 1) and lost
  // the specimen track from point 1 on.
  constexpr int kCalibrationSearch = 16;
  PointOutcome head = analyse_point(frames, read_lock, sel, 0, settings, options, stationary, nullptr);
  const auto ratio_of = [](const PointOutcome& o) {
    return o.run ? o.run->result.mask.median_ratio : std::numeric_limits<double>::quiet_NaN();
  };
  if (head.run && ratio_of(head) < kNoContrastRatio) {
    for (int k = 1; k < n_read && k <= kCalibrationSearch; ++k) {
      PointOutcome next = analyse_point(frames, read_lock, sel, k, settings, options, stationary, nullptr);
      if (ratio_of(next) >= kNoContrastRatio) {
        calibrating = k;
        head = std::move(next);
        break;
      }
    }
  }
  reference_ratio = ratio_of(head);
  if (once && head.run) {
    // The null calibration of the calibrating point, taken whole by every later point of its pixel
    // size and box: the same level, secondary level and null distribution (p-values, --fdr).
    const HrtemImageRun& first = *head.run;
    const int frame = sel.point_first(calibrating);
    const auto shared = [&](std::string source, bool check) {
      SharedThreshold t{first.result.threshold, std::move(source), first.run.pixel_nm(), first.result.grid.box_px};
      t.reuse_name = "once for the series";
      t.check_spectrum = check;
      return t;
    };
    SharedThreshold unchecked = shared(path, false);
    // A different source than the frames' own path: the image a calibration came from takes it
    // unchecked (hrtem_image_run.cpp), and every frame of a file has the file's path.
    SharedThreshold checked = shared(path + " (frame " + std::to_string(frame) + ")", true);
    calibration = SeriesCalibration{std::move(unchecked), std::move(checked), head.level, frame};
    record.threshold_frame = frame;
    record.threshold_search = calibrating;
  }
  const SeriesCalibration* cal = calibration ? &*calibration : nullptr;
  // The others two at a time when the cores are the program's to share: one point at a time
  // leaves a core idle while a point is read, masked and its files written (16 frames of 2048^2:
  // 1.68 s one at a time against 1.46 s for the same frames as a batch of images, two at once).
  // Not for EMD files (or a folder holding one), which are read in a forked child process that
  // must not be forked beside running threads.
  const bool share = options.threads == 0 && usable_cores() >= 2 && !frames.reads_in_child();
  HrtemOptions later = options;
  if (share) later.threads = usable_cores();  // the loops borrow only the cores the lender has idle
  if (calibrating == 0) {
    use(std::move(head));
    points_in_order(
        1, n_read, share ? 2 : 1, share,
        [&](int k) { return analyse_point(frames, read_lock, sel, k, settings, later, stationary, cal); }, use);
  } else {
    // The points before the calibrating one, then it, then the rest, handed on in point order.
    points_in_order(
        0, n_read, share ? 2 : 1, share,
        [&](int k) {
          return k == calibrating ? std::move(head)
                                  : analyse_point(frames, read_lock, sel, k, settings, later, stationary, cal);
        },
        use);
  }
  if (n_read < n) {
    const int held = *frames.frames_held();
    record.failed_points += n - n_read;
    record.missing_points = n - n_read;
    const std::string points = n - n_read == 1 ? "point " + std::to_string(n_read)
                                               : "points " + std::to_string(n_read) + " to " + std::to_string(n - 1);
    const std::string w = points + " (frames " + std::to_string(sel.point_first(n_read)) + " to " +
                          std::to_string(sel.point_last(n - 1)) + ") left out: the header declares " +
                          std::to_string(frames_in_file) + " frames; the file holds " + std::to_string(held) +
                          ": frames " + std::to_string(held) + " to " + std::to_string(frames_in_file - 1) +
                          " are missing (the file may be cut short)";
    record.failures.push_back(w);
    on_failure(w);
  }
  // The file's own time axis starts at its frame 0: read for its time when the selection starts
  // later (one frame, after every point, so that no thread or child read runs beside it).
  FrameTime frame0;
  if (sel.first == 0) {
    frame0 = clock;
  } else if (!clock.source.empty()) {
    try {
      LoadedImage zero = frames.read(0);
      frame0 = frame_time(zero.info.metadata, 0);
    } catch (const InputError&) {
      // Frame 0 unreadable: the axis counts from the first point's first frame, and says so.
    }
  }
  a.time = series_time(a.points, clock, unlike, frame0);
  return a;
}

}  // namespace mgscope

// HrtemCli -> HrtemSettings: every check of the hrtem command's values in one place.
#include "pipelines/hrtem_settings.hpp"

#include <algorithm>

#include "fitting/base/error.hpp"
#include "fitting/base/length_units.hpp"

namespace mgscope {

namespace {

// The mode --threshold-mode names, or the one --reference or --spot-threshold implies alone. Two
// that disagree are refused: `--threshold-mode formula --spot-threshold 20` ran a fixed level, and
// `--reference X --spot-threshold 20` left the reference unread, without a word.
ThresholdMode threshold_mode(const HrtemCli& c) {
  const std::pair<const char*, ThresholdMode> named[] = {{"null", ThresholdMode::null_model},
                                                         {"formula", ThresholdMode::formula},
                                                         {"fixed", ThresholdMode::fixed},
                                                         {"reference", ThresholdMode::reference}};
  const auto it =
      std::find_if(std::begin(named), std::end(named), [&](const auto& n) { return c.threshold_mode == n.first; });
  if (it == std::end(named)) throw UsageError("--threshold-mode: use null, formula, fixed or reference");
  if (!c.reference.empty() && c.spot_threshold)
    throw UsageError("--reference and --spot-threshold: give one (a reference image calibrates the level that "
                     "--spot-threshold would fix)");
  const bool named_default = c.threshold_mode == "null";  // the option's default: not a choice made
  if (!c.reference.empty()) {
    if (!named_default && it->second != ThresholdMode::reference)
      throw UsageError("--threshold-mode " + c.threshold_mode + " and --reference: the reference image calibrates "
                       "the level (mode reference); give one");
    return ThresholdMode::reference;
  }
  if (c.spot_threshold) {
    if (!named_default && it->second != ThresholdMode::fixed)
      throw UsageError("--threshold-mode " + c.threshold_mode + " and --spot-threshold: a given level is mode fixed; "
                       "give one");
    return ThresholdMode::fixed;
  }
  if (it->second == ThresholdMode::reference) throw UsageError("--threshold-mode reference needs --reference IMAGE");
  if (it->second == ThresholdMode::fixed) throw UsageError("--threshold-mode fixed needs --spot-threshold");
  return it->second;
}

// --halo-nm: "off", or LO:HI as lengths (nm by default, or with units: 2.1A:2.9A).
void parse_halo_range(const std::string& text, HaloOptions& halo) {
  if (text.empty()) return;
  if (text == "off") {
    halo.check = false;
    return;
  }
  const std::size_t colon = text.find(':');
  if (colon == std::string::npos || text.find(':', colon + 1) != std::string::npos)
    throw UsageError("--halo-nm: '" + text + "' is not LO:HI (lengths, nm by default) or off");
  halo.expected_min_nm = parse_length_nm(text.substr(0, colon), "--halo-nm");
  halo.expected_max_nm = parse_length_nm(text.substr(colon + 1), "--halo-nm");
}

HrtemOptions to_options(const HrtemCli& c) {
  HrtemOptions o;
  o.box_nm = parse_length_nm(c.box, "--box");
  if (!c.stride.empty()) o.stride_nm = parse_length_nm(c.stride, "--stride");
  const auto w = parse_window(c.window);
  if (!w) throw UsageError("--window: '" + c.window + "' is not one of hann, hamming, tukey, none");
  o.window = *w;
  if (c.acf != "circular" && c.acf != "linear") throw UsageError("--acf: use circular or linear");
  o.acf = c.acf == "linear" ? AcfMode::linear : AcfMode::circular;
  o.spots.d_min_nm = parse_length_nm(c.d_min, "--d-min");
  o.spots.d_max_nm = parse_length_nm(c.d_max, "--d-max");
  o.spots.acf_min_lag_nm = parse_length_nm(c.acf_min_lag, "--acf-min-lag");
  o.spots.same_direction_deg = c.same_direction_deg;
  o.threshold.mode = threshold_mode(c);
  o.threshold.fixed = c.spot_threshold;
  o.threshold.alpha = c.alpha;
  o.threshold.alpha_secondary = c.alpha_secondary;
  o.threshold.null_boxes = c.null_boxes;
  o.threshold.seed = c.seed;
  o.rules.nanocrystal_min_directions = c.nanocrystal_directions;
  o.rules.nanocrystal_min_pairs = c.nanocrystal_pairs;
  o.rules.crystal_like_min_anisotropy = c.anisotropy_min;
  if (!(c.min_cover >= 0 && c.min_cover <= 1)) throw UsageError("--min-cover must lie between 0 and 1");
  o.rules.min_cover = c.min_cover;
  if (!(c.streak_ratio >= 0 && c.streak_ratio < 1)) throw UsageError("--streak-ratio must lie in [0, 1)");
  o.spots.streak_ratio = c.streak_ratio;
  o.mask.find_vacuum = !c.no_vacuum;
  o.mask.find_annotations = !c.no_annotations;
  o.repair_spikes = !c.keep_spikes;
  parse_halo_range(c.halo_nm, o.halo);
  o.fdr_q = c.fdr;
  o.threads = c.threads;
  if (const std::string bad = o.check(); !bad.empty()) throw UsageError(bad);
  return o;
}

}  // namespace

HrtemSettings make_hrtem_settings(const HrtemCli& cli) {
  HrtemSettings s;
  s.options = to_options(cli);
  if (!cli.pixel_size.empty()) s.calibrate.pixel_nm = parse_length_nm(cli.pixel_size, "--pixel-size");
  s.calibrate.anisotropic = cli.anisotropic == "resample" ? AnisotropyPolicy::resample : AnisotropyPolicy::refuse;
  if (cli.frame < 0) throw UsageError("--frame must be 0 or more");
  s.frame = cli.frame;
  s.series.frames = cli.frames;
  if (cli.frame != 0 && !cli.frames.empty())
    throw UsageError("--frame " + std::to_string(cli.frame) + " and --frames " + cli.frames +
                     ": give one (--frames A:A analyses frame A as a series of one)");
  if (cli.sum < 1) throw UsageError("--sum must be 1 or more (frames averaged per analysed point)");
  if (cli.sum > 1 && cli.frames.empty()) throw UsageError("--sum needs --frames (the frames to average)");
  if (cli.threshold_each_frame && cli.frames.empty()) throw UsageError("--threshold-each-frame needs --frames");
  if ((cli.threshold_each_image || cli.threshold_once) && !cli.frames.empty())
    throw UsageError("--threshold-each-image and --threshold-once are for a batch of images; a series (--frames) "
                     "calibrates once on its first point, or on every point with --threshold-each-frame");
  if (!cli.threshold_from.empty() || !cli.save_threshold.empty()) {
    const char* option = cli.threshold_from.empty() ? "--save-threshold" : "--threshold-from";
    if (!cli.frames.empty())
      throw UsageError(std::string(option) + " is for images; a series (--frames) calibrates once on its first point");
    if (cli.threshold_each_image)
      throw UsageError(std::string(option) + " and --threshold-each-image: give one (each image calibrating its own "
                                             "threshold neither keeps nor reuses one)");
    if (s.options.threshold.mode != ThresholdMode::null_model)
      throw UsageError(std::string(option) + " keeps or reuses a null calibration: --threshold-mode must be null " +
                       "(not " + threshold_mode_name(s.options.threshold.mode) + ")");
  }
  if (!cli.threshold_from.empty() && !cli.save_threshold.empty())
    throw UsageError("--threshold-from and --save-threshold: give one (a reused calibration is already in its file)");
  s.series.sum = cli.sum;
  s.series.threshold_each_frame = cli.threshold_each_frame;
  if (cli.no_align && cli.sum < 2) throw UsageError("--no-align needs --sum 2 or more (it is about averaging frames)");
  s.series.align = !cli.no_align;
  s.area.enabled = cli.area_stride != "off";
  if (s.area.enabled && !cli.area_stride.empty()) s.area.stride_nm = parse_length_nm(cli.area_stride, "--area-stride");
  s.area.vote_share = cli.area_vote_share;
  if (const std::string bad = bootstrap_resamples_problem(cli.bootstrap_resamples); !bad.empty()) throw UsageError(bad);
  s.area.bootstrap_resamples = cli.bootstrap_resamples;
  s.area.seed = cli.seed;
  s.area.threads = cli.threads;
  s.user.mask_path = cli.mask_file;
  if (!cli.roi.empty()) parse_roi_values(cli.roi);  // once, before any image, not once per image
  s.user.roi = cli.roi;
  s.user.reference_path = cli.reference;
  s.figures.overlay_max_px = cli.overlay_max_px;
  s.figures.gallery = cli.gallery;
  s.figures.gallery_examples = cli.gallery_examples;
  s.figures.threads = cli.threads;
  return s;
}

}  // namespace mgscope

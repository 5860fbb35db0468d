#include "pipelines/python/py_hrtem_keywords.hpp"

#include <stdexcept>

#include "imaging/window.hpp"

namespace mgscope::py {

namespace {

WindowKind window_of(const std::string& name) {
  const auto w = parse_window(name);
  if (!w) throw std::invalid_argument("window: '" + name + "' is not one of hann, hamming, tukey, none");
  return *w;
}

ThresholdMode threshold_mode_of(const std::string& name) {
  if (name == "null") return ThresholdMode::null_model;
  if (name == "formula") return ThresholdMode::formula;
  if (name == "fixed") return ThresholdMode::fixed;
  throw std::invalid_argument("threshold_mode: '" + name + "' is not one of null, formula, fixed");
}

}  // namespace

HrtemSettings hrtem_py_settings(const HrtemKeywords& k) {
  HrtemSettings s;
  HrtemOptions& o = s.options;
  o.box_nm = k.box_nm;
  o.stride_nm = k.stride_nm;
  o.window = window_of(k.window);
  if (k.acf != "circular" && k.acf != "linear")
    throw std::invalid_argument("acf: '" + k.acf + "' is not one of circular, linear");
  o.acf = k.acf == "linear" ? AcfMode::linear : AcfMode::circular;
  o.spots.d_min_nm = k.d_min_nm;
  o.spots.d_max_nm = k.d_max_nm;
  o.spots.acf_min_lag_nm = k.acf_min_lag_nm;
  o.spots.same_direction_deg = k.same_direction_deg;
  o.threshold.mode = threshold_mode_of(k.threshold_mode);
  if (k.spot_threshold) {  // as on the command line: a level implies the fixed mode
    o.threshold.mode = ThresholdMode::fixed;
    o.threshold.fixed = k.spot_threshold;
  } else if (o.threshold.mode == ThresholdMode::fixed) {
    throw std::invalid_argument("threshold_mode='fixed' needs spot_threshold");
  }
  o.threshold.alpha = k.alpha;
  o.threshold.alpha_secondary = k.alpha_secondary;
  o.threshold.null_boxes = k.null_boxes;
  o.threshold.seed = k.seed;
  o.rules.nanocrystal_min_directions = k.nanocrystal_directions;
  o.rules.nanocrystal_min_pairs = k.nanocrystal_pairs;
  o.rules.crystal_like_min_anisotropy = k.anisotropy_min;
  o.threads = k.threads;
  o.repair_spikes = k.repair_spikes;
  o.halo.check = k.halo_check;  // --halo-nm off
  o.halo.expected_min_nm = k.halo_min_nm;
  o.halo.expected_max_nm = k.halo_max_nm;
  require_valid(o);  // before any file is read, as the CLI does
  s.calibrate.pixel_nm = k.pixel_nm;
  if (k.anisotropic != "refuse" && k.anisotropic != "resample")
    throw std::invalid_argument("anisotropic: '" + k.anisotropic + "' is not one of refuse, resample");
  s.calibrate.anisotropic = k.anisotropic == "resample" ? AnisotropyPolicy::resample : AnisotropyPolicy::refuse;
  s.area.enabled = k.area;
  s.area.stride_nm = k.area_stride_nm;
  s.area.vote_share = k.area_vote_share;
  s.area.bootstrap_resamples = k.bootstrap_resamples;
  s.area.seed = k.seed;
  s.area.threads = k.threads;
  return s;
}

}  // namespace mgscope::py
